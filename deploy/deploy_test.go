package deploy_test

import (
	"bytes"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	// go.yaml.in/yaml/v3 is the YAML organisation's maintained successor
	// of gopkg.in/yaml.v3, already in the module graph through goleak's
	// tests; reading Kubernetes manifests by hand would be guesswork.
	"go.yaml.in/yaml/v3"

	"github.com/loadgate/loadgate/examples/shop"
	"github.com/loadgate/loadgate/internal/merge"
	"github.com/loadgate/loadgate/loadtest"
)

// manifest is a Kubernetes object read from deploy/k8s.
type manifest map[string]any

// get follows a path of keys and indices ("spec", "template", 0, ...).
func (m manifest) get(keys ...any) any {
	var v any = map[string]any(m)
	for _, k := range keys {
		switch k := k.(type) {
		case string:
			mm, ok := v.(map[string]any)
			if !ok {
				return nil
			}
			v = mm[k]
		case int:
			l, ok := v.([]any)
			if !ok || k >= len(l) {
				return nil
			}
			v = l[k]
		}
	}
	return v
}

func readManifest(t *testing.T, name string) manifest {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("k8s", name))
	if err != nil {
		t.Fatal(err)
	}
	// Into a plain map, so that nested objects are plain maps too.
	var m map[string]any
	if err := yaml.Unmarshal(data, &m); err != nil {
		t.Fatalf("k8s/%s: %v", name, err)
	}
	return m
}

// container is the pod template's only container of a Job.
type container struct {
	Command, Args []string
	Env           map[string]string
	Mounts        map[string]string // volume name → mount path
	Image         string
}

func jobContainer(t *testing.T, name string, job manifest) (container, map[string]string) {
	t.Helper()
	if job.get("apiVersion") != "batch/v1" || job.get("kind") != "Job" {
		t.Fatalf("%s: %v %v, want a batch/v1 Job", name, job.get("apiVersion"), job.get("kind"))
	}
	pod := manifest(job.get("spec", "template", "spec").(map[string]any))
	if pod.get("restartPolicy") != "Never" {
		t.Errorf("%s: restartPolicy %v, want Never: a shard restarted after the start would refuse it", name, pod.get("restartPolicy"))
	}
	cs, _ := pod.get("containers").([]any)
	if len(cs) != 1 {
		t.Fatalf("%s: %d containers, want 1", name, len(cs))
	}
	c := manifest(cs[0].(map[string]any))
	out := container{Env: map[string]string{}, Mounts: map[string]string{}}
	out.Image, _ = c.get("image").(string)
	for _, k := range []struct {
		key string
		to  *[]string
	}{{"command", &out.Command}, {"args", &out.Args}} {
		l, _ := c.get(k.key).([]any)
		for _, v := range l {
			*k.to = append(*k.to, fmt.Sprint(v))
		}
	}
	envs, _ := c.get("env").([]any)
	for _, e := range envs {
		em := e.(map[string]any)
		v, ok := em["value"].(string)
		if !ok {
			t.Errorf("%s: env %v: want a string value", name, em["name"])
		}
		out.Env[em["name"].(string)] = v
	}
	mounts, _ := c.get("volumeMounts").([]any)
	for _, m := range mounts {
		mm := m.(map[string]any)
		out.Mounts[mm["name"].(string)] = mm["mountPath"].(string)
	}
	claims := map[string]string{} // volume name → claim
	vols, _ := pod.get("volumes").([]any)
	for _, v := range vols {
		vm := manifest(v.(map[string]any))
		if claim, ok := vm.get("persistentVolumeClaim", "claimName").(string); ok {
			claims[vm.get("name").(string)] = claim
		}
	}
	return out, claims
}

// onClaim returns the claim and the path inside its volume of dir, a path
// in container c.
func onClaim(c container, claims map[string]string, dir string) (claim, rel string, ok bool) {
	for vol, mount := range c.Mounts {
		if r, err := filepath.Rel(mount, dir); err == nil && !strings.HasPrefix(r, "..") {
			if claim, ok := claims[vol]; ok {
				return claim, r, true
			}
		}
	}
	return "", "", false
}

// dockerfile is what deploy/Dockerfile builds.
type dockerfile struct {
	text       string
	binaries   map[string]bool // paths of the binaries in the image
	pkg        string          // the default PKG
	entrypoint string
}

func readDockerfile(t *testing.T) dockerfile {
	t.Helper()
	data, err := os.ReadFile("Dockerfile")
	if err != nil {
		t.Fatal(err)
	}
	text := string(data)
	d := dockerfile{text: text, binaries: map[string]bool{}}
	// Built into /out/bin, which is copied to /usr/local/bin.
	if !strings.Contains(text, "COPY --from=build /out/bin/ /usr/local/bin/") {
		t.Fatal("Dockerfile: the binaries are not copied from /out/bin/ to /usr/local/bin/")
	}
	for _, m := range regexp.MustCompile(`go (?:test -c|build) -o /out/bin/(\S+)`).FindAllStringSubmatch(text, -1) {
		d.binaries["/usr/local/bin/"+m[1]] = true
	}
	if m := regexp.MustCompile(`(?m)^ARG PKG=(\S+)$`).FindStringSubmatch(text); m != nil {
		d.pkg = m[1]
	}
	if m := regexp.MustCompile(`(?m)^ENTRYPOINT \["([^"]+)"\]$`).FindStringSubmatch(text); m != nil {
		d.entrypoint = m[1]
	}
	if !strings.Contains(text, "go test -c -o /out/bin/loadtest.test \"${PKG}\"") || !strings.Contains(text, "go build -o /out/bin/loadgate ./cmd/loadgate") {
		t.Errorf("Dockerfile: want the load tests of ${PKG} built with go test -c and loadgate with go build")
	}
	if !strings.Contains(text, "ENV "+loadtest.EnvCommit+"=") {
		t.Errorf("Dockerfile: want the commit in %s, which the shards record", loadtest.EnvCommit)
	}
	return d
}

// TestManifests checks the structure of deploy/k8s against the image and
// package loadtest (issue 16): an Indexed Job of N pods, each told N,
// a shared start and a results directory on a ReadWriteMany volume, and a
// merge Job that reads that directory and runs loadgate merge, both with
// binaries the Dockerfile builds.
func TestManifests(t *testing.T) {
	df := readDockerfile(t)
	pvc := readManifest(t, "results-pvc.yaml")
	if pvc.get("kind") != "PersistentVolumeClaim" {
		t.Fatalf("results-pvc.yaml: kind %v", pvc.get("kind"))
	}
	if modes, _ := pvc.get("spec", "accessModes").([]any); !slices.Contains(modes, any("ReadWriteMany")) {
		t.Errorf("results-pvc.yaml: access modes %v: generators on several nodes write at once, want ReadWriteMany", modes)
	}
	claim := pvc.get("metadata", "name")

	gen := readManifest(t, "generators.yaml")
	if gen.get("spec", "completionMode") != "Indexed" {
		t.Errorf("generators.yaml: completionMode %v, want Indexed (JOB_COMPLETION_INDEX)", gen.get("spec", "completionMode"))
	}
	// A failed shard fails alone: at backoffLimit a Job fails and
	// Kubernetes terminates its running pods, the other shards mid-load.
	if gen.get("spec", "backoffLimit") != nil || gen.get("spec", "backoffLimitPerIndex") != 0 {
		t.Errorf("generators.yaml: backoffLimit %v, backoffLimitPerIndex %v: want backoffLimitPerIndex: 0 alone, so that a failed shard does not end the others' load",
			gen.get("spec", "backoffLimit"), gen.get("spec", "backoffLimitPerIndex"))
	}
	n, _ := gen.get("spec", "completions").(int)
	if p, _ := gen.get("spec", "parallelism").(int); n < 1 || p != n {
		t.Errorf("generators.yaml: completions %d, parallelism %d: want N of each, every shard running at once", n, p)
	}
	gc, gclaims := jobContainer(t, "generators.yaml", gen)
	if got := gc.Env[loadtest.EnvShards]; got != strconv.Itoa(n) {
		t.Errorf("generators.yaml: %s=%q, want the completions, %d", loadtest.EnvShards, got, n)
	}
	for _, k := range []string{loadtest.EnvShard, loadtest.EnvJobIndex} {
		if _, ok := gc.Env[k]; ok {
			t.Errorf("generators.yaml: sets %s, which differs per pod: the Job sets %s", k, loadtest.EnvJobIndex)
		}
	}
	if gc.Env[loadtest.EnvStartAt] != "${START_AT}" {
		t.Errorf("generators.yaml: %s=%q, want ${START_AT} for envsubst", loadtest.EnvStartAt, gc.Env[loadtest.EnvStartAt])
	}
	out := gc.Env[loadtest.EnvOut]
	outClaim, outRel, ok := onClaim(gc, gclaims, out)
	if !ok || outClaim != claim {
		t.Errorf("generators.yaml: %s=%s is not on the volume of claim %v", loadtest.EnvOut, out, claim)
	}
	if len(gc.Command) != 1 || !df.binaries[gc.Command[0]] || !strings.HasSuffix(gc.Command[0], ".test") {
		t.Errorf("generators.yaml: command %v, want the test binary the Dockerfile builds (%v)", gc.Command, df.binaries)
	}
	if !slices.Contains(gc.Args, "-test.run") {
		t.Errorf("generators.yaml: args %v, want a -test.run", gc.Args)
	}

	mj := readManifest(t, "merge.yaml")
	mc, mclaims := jobContainer(t, "merge.yaml", mj)
	if len(mc.Command) != 1 || !df.binaries[mc.Command[0]] || path.Base(mc.Command[0]) != "loadgate" {
		t.Errorf("merge.yaml: command %v, want loadgate as the Dockerfile builds it", mc.Command)
	}
	if len(mc.Args) < 4 || mc.Args[0] != "merge" || mc.Args[1] != "-out" {
		t.Fatalf("merge.yaml: args %v, want merge -out DIR SHARDS", mc.Args)
	}
	if c, rel, ok := onClaim(mc, mclaims, mc.Args[len(mc.Args)-1]); !ok || c != claim || rel != outRel {
		t.Errorf("merge.yaml: merges %s, not the generators' %s on claim %v", mc.Args[len(mc.Args)-1], out, claim)
	}
	if c, _, ok := onClaim(mc, mclaims, mc.Args[2]); !ok || c != claim {
		t.Errorf("merge.yaml: -out %s is not on the volume of claim %v", mc.Args[2], claim)
	}
	// A second run into the first one's directories could not be merged:
	// loadgate merge refuses shards of two runs in one directory and an
	// -out that already holds results. Each run has its own.
	for _, d := range []struct{ file, dir string }{{"generators.yaml", out}, {"merge.yaml", mc.Args[2]}, {"merge.yaml", mc.Args[len(mc.Args)-1]}} {
		if !strings.Contains(d.dir, "${START_AT}") {
			t.Errorf("%s: %s is the same directory for every run: want one per run, under ${START_AT}", d.file, d.dir)
		}
	}
	// A manifest with ${START_AT} is applied through envsubst, in the
	// docs as in its own comment.
	doc, err := os.ReadFile("../docs/SHARDS.md")
	if err != nil {
		t.Fatal(err)
	}
	// The start names the run's directory on the volume: in Unix
	// milliseconds, without the colons of an RFC 3339 time, which SMB
	// shares refuse in a name.
	if want := "export START_AT=$(date -u -d '+3 minutes' +%s%3N)"; !strings.Contains(string(doc), want) {
		t.Errorf("docs/SHARDS.md does not set START_AT in Unix milliseconds (%q): it names a directory", want)
	}
	for _, name := range []string{"generators.yaml", "merge.yaml"} {
		data, err := os.ReadFile(filepath.Join("k8s", name))
		if err != nil {
			t.Fatal(err)
		}
		want := "envsubst '$START_AT' < deploy/k8s/" + name + " | kubectl apply -f -"
		if !strings.Contains(string(data), want) || !strings.Contains(string(doc), want) {
			t.Errorf("k8s/%s holds ${START_AT}: want %q in its comment and in docs/SHARDS.md", name, want)
		}
		if strings.Contains(string(doc), "kubectl apply -f deploy/k8s/"+name) {
			t.Errorf("docs/SHARDS.md applies k8s/%s without substituting ${START_AT}", name)
		}
	}
	if df.pkg != "./examples/shop" || df.entrypoint != gc.Command[0] {
		t.Errorf("Dockerfile: PKG %q, entrypoint %q; TestIndexedJobLocally builds ./examples/shop and runs %s", df.pkg, df.entrypoint, gc.Command[0])
	}
	if gc.Image != mc.Image {
		t.Errorf("the generators run %s and the merge %s: one image holds both", gc.Image, mc.Image)
	}
	// The Dockerfile's own build command tags the image the manifests run
	// (it tagged the short commit, and the manifests ran :latest).
	if m := regexp.MustCompile(`(?m)^#\s+-t (\S+) \.$`).FindStringSubmatch(df.text); m == nil || m[1] != gc.Image {
		t.Errorf("Dockerfile: its docker build tags %v, the manifests run %s", m, gc.Image)
	}
}

// TestIndexedJobLocally runs the generators Job on this machine: the test
// binary the Dockerfile builds (go test -c of its PKG), with the Job's
// arguments and environment, in one process per index, each given
// JOB_COMPLETION_INDEX as the Job controller gives it and started at a
// different moment, all loading one local shop; then merges their results
// as the merge Job does. The shards' arrivals add up to the whole load,
// exactly, and the merged result counts what the shop served.
func TestIndexedJobLocally(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs a test binary: not in -short mode")
	}
	df := readDockerfile(t)
	gen := readManifest(t, "generators.yaml")
	gc, _ := jobContainer(t, "generators.yaml", gen)
	n := gen.get("spec", "parallelism").(int)

	bin := filepath.Join(t.TempDir(), "loadtest.test")
	build := exec.Command("go", "test", "-c", "-o", bin, df.pkg)
	build.Dir = ".."
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go test -c %s: %v\n%s", df.pkg, err, out)
	}

	var served atomic.Int64
	shopSrv := shop.NewServer(shop.Options{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		served.Add(1)
		shopSrv.ServeHTTP(w, r)
	}))
	defer srv.Close()

	out := t.TempDir()
	start := time.Now().Add(4 * time.Second).UTC()
	env := map[string]string{}
	for k, v := range gc.Env {
		env[k] = v
	}
	env[loadtest.EnvStartAt] = strconv.FormatInt(start.UnixMilli(), 10) // as the manifests' comment makes it
	env[loadtest.EnvOut] = out
	env[loadtest.EnvTarget] = srv.URL
	delete(env, loadtest.EnvAllowHosts) // loopback needs none
	env[loadtest.EnvCommit] = "0123456789abcdef"

	var wg sync.WaitGroup
	logs := make([]bytes.Buffer, n)
	errs := make([]error, n)
	for k := range n {
		cmd := exec.Command(bin, gc.Args...)
		cmd.Dir = filepath.Join("..", df.pkg) // go test's directory: the package's
		cmd.Env = append(os.Environ(), loadtest.EnvJobIndex+"="+strconv.Itoa(k))
		for name, v := range env {
			cmd.Env = append(cmd.Env, name+"="+v)
		}
		cmd.Stdout, cmd.Stderr = &logs[k], &logs[k]
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		wg.Add(1)
		go func() { defer wg.Done(); errs[k] = cmd.Wait() }()
		time.Sleep(500 * time.Millisecond) // pods start when they are scheduled
	}
	wg.Wait()
	for k := range n {
		if errs[k] != nil {
			t.Errorf("pod %d: %v\n%s", k, errs[k], logs[k].String())
		}
	}
	if t.Failed() {
		return
	}
	merged, err := merge.Do([]string{out}, merge.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(merged) != 1 {
		t.Fatalf("merged %d scenarios, want the one the Job runs", len(merged))
	}
	r := merged[0]
	var whole float64
	for _, p := range r.Load.Stages {
		whole += p.From * time.Duration(p.DurationNS).Seconds()
	}
	if r.Requests != int64(whole) || r.Requests != served.Load() || r.Errors != 0 {
		t.Errorf("merged %d requests (%d errors), the shop served %d, the plan has %g", r.Requests, r.Errors, served.Load(), whole)
	}
	if len(r.Shards) != n || r.Shard.Partial {
		t.Fatalf("merged %d shards of %d", len(r.Shards), n)
	}
	for _, s := range r.Shards {
		if want := int64(whole) / int64(n); s.Requests < want || s.Requests > want+1 {
			t.Errorf("shard %d sent %d, want its share, %d or %d", s.Index, s.Requests, want, want+1)
		}
	}
	// Each pod kept the one start, whenever it was started.
	files, err := merge.Read(out)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		if st := f.Result.Shard.Start; st == nil || !st.At.Equal(start.Truncate(time.Millisecond)) {
			t.Errorf("%s: start %+v, want %v", f.Path, st, start)
		} else {
			t.Logf("shard %d of %d: first send %v after its planned time", f.Result.Shard.Index, n, time.Duration(st.SkewNS))
		}
	}
}
