package main

import (
	"fmt"
	"os"
	"regexp"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// readmeWorkflow is a ```yaml block of the README that is a workflow (it
// has jobs), and the line it starts at.
type readmeWorkflow struct {
	line int
	text string
	wf   workflowFile
}

// workflowFile is the part of a workflow file that GitHub's permission
// rules read.
type workflowFile struct {
	Name        string            `yaml:"name"`
	Permissions map[string]string `yaml:"permissions"`
	Jobs        map[string]struct {
		Permissions map[string]string `yaml:"permissions"`
		Steps       []struct {
			Uses string            `yaml:"uses"`
			With map[string]string `yaml:"with"`
		} `yaml:"steps"`
	} `yaml:"jobs"`
}

var yamlBlockRE = regexp.MustCompile("(?ms)^```yaml\n(.*?)^```$")

// readmeWorkflows returns the workflows of the README's yaml blocks.
func readmeWorkflows(t *testing.T, path string) []readmeWorkflow {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	text := string(data)
	var out []readmeWorkflow
	for _, m := range yamlBlockRE.FindAllStringSubmatchIndex(text, -1) {
		w := readmeWorkflow{line: strings.Count(text[:m[2]], "\n") + 1, text: text[m[2]:m[3]]}
		if err := yaml.Unmarshal([]byte(w.text), &w.wf); err != nil {
			t.Fatalf("%s:%d: a yaml block that does not parse: %v", path, w.line, err)
		}
		if len(w.wf.Jobs) > 0 {
			out = append(out, w)
		}
	}
	return out
}

// workflowProblems checks a workflow against GitHub's rule for the token's
// permissions: once a workflow (or a job) lists any, every one it leaves
// out is none. So a job that checks out the repository needs contents:
// read (a private repository's checkout fails without it: "Repository not
// found"), one that downloads another run's artifact actions: read, and
// one whose loadgate step comments pull-requests: write.
func workflowProblems(w workflowFile) []string {
	var out []string
	for name, job := range w.Jobs {
		perms := w.Permissions
		if job.Permissions != nil {
			perms = job.Permissions
		}
		need := func(scope, level, why string) {
			if perms == nil {
				return // the repository's default permissions
			}
			have := perms[scope]
			if have == "write" || have == level {
				return
			}
			out = append(out, fmt.Sprintf("job %s: %s, but its permissions give %s: %q (left out is none)", name, why, scope, have))
		}
		for _, st := range job.Steps {
			action, _, _ := strings.Cut(st.Uses, "@")
			switch {
			case action == "actions/checkout":
				need("contents", "read", "actions/checkout needs contents: read")
			case action == "actions/download-artifact" && st.With["run-id"] != "":
				need("actions", "read", "download-artifact of another run (run-id) needs actions: read")
			case action == "loadgate/loadgate" && st.With["shard"] == "" && st.With["comment"] != "false":
				need("pull-requests", "write", "loadgate comments on the pull request")
			case action == "actions/upload-artifact" && st.With["overwrite"] != "true":
				// v4 refuses a name its workflow run already has (409
				// Conflict), and a re-run job is the same run.
				out = append(out, fmt.Sprintf("job %s: upload-artifact %s without overwrite: true fails when the job is re-run", name, st.With["name"]))
			}
		}
	}
	return out
}

// TestReadmeWorkflowPermissions checks the permissions of the workflows the
// README tells users to copy. act, which runs them in scripts/readme-e2e.sh
// and scripts/matrix-e2e.sh, gives every job every permission, so only
// this test sees one left out: the fork-PR workflow_run workflow once
// listed actions and pull-requests only, and its checkout had no
// contents: read.
func TestReadmeWorkflowPermissions(t *testing.T) {
	wfs := readmeWorkflows(t, "../../README.md")
	names := map[string]bool{}
	for _, w := range wfs {
		names[w.wf.Name] = true
		for _, p := range workflowProblems(w.wf) {
			t.Errorf("README.md:%d: workflow %q: %s", w.line, w.wf.Name, p)
		}
	}
	for _, want := range []string{"loadgate", "loadgate comment", "loadgate shards"} {
		if !names[want] {
			t.Errorf("README.md has no workflow %q (%d workflows read)", want, len(wfs))
		}
	}
}

// TestReadmeWorkflowFiles: a file a README workflow hands the action (sla,
// policy) is one the reader must add, and the action refuses a file that
// is not there ("input sla: open loadgate.sla: no such file or
// directory"): the README says so outside its yaml blocks. The workflow to
// copy named loadgate.sla with only "# optional" beside it, and a copy
// made as told failed its first run.
func TestReadmeWorkflowFiles(t *testing.T) {
	data, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	prose := yamlBlockRE.ReplaceAllString(string(data), "")
	for _, w := range readmeWorkflows(t, "../../README.md") {
		for _, job := range w.wf.Jobs {
			for _, st := range job.Steps {
				if action, _, _ := strings.Cut(st.Uses, "@"); action != "loadgate/loadgate" {
					continue
				}
				for _, input := range []string{"sla", "policy"} {
					if f := st.With[input]; f != "" && !strings.Contains(f, "${{") && !strings.Contains(prose, "`"+f+"`") {
						t.Errorf("README.md:%d: workflow %q hands the action %s: %s, which the README never tells the reader to add", w.line, w.wf.Name, input, f)
					}
				}
			}
		}
	}
}

func TestWorkflowProblems(t *testing.T) {
	tests := []struct {
		name string
		give string
		want []string
	}{
		{"all given", "permissions: {contents: read, actions: read, pull-requests: write}\njobs:\n  a:\n    steps:\n      - uses: actions/checkout@v4\n      - uses: actions/download-artifact@v4\n        with: {run-id: '1'}\n      - uses: loadgate/loadgate@v0.1.0\n", nil},
		{"defaults", "jobs:\n  a:\n    steps:\n      - uses: actions/checkout@v4\n", nil},
		{"upload", "jobs:\n  a:\n    steps:\n      - uses: actions/upload-artifact@v4\n        with: {name: results, path: x}\n      - uses: actions/upload-artifact@v4\n        with: {name: again, path: x, overwrite: true}\n",
			[]string{"job a: upload-artifact results without overwrite: true fails when the job is re-run"}},
		{"no contents", "permissions: {actions: read, pull-requests: write}\njobs:\n  comment:\n    steps:\n      - uses: actions/checkout@v4\n      - uses: loadgate/loadgate@v0.1.0\n",
			[]string{`job comment: actions/checkout needs contents: read, but its permissions give contents: "" (left out is none)`}},
		{"job's own", "permissions: {contents: read, pull-requests: write}\njobs:\n  a:\n    permissions: {contents: read}\n    steps:\n      - uses: loadgate/loadgate@v0.1.0\n",
			[]string{`job a: loadgate comments on the pull request, but its permissions give pull-requests: "" (left out is none)`}},
		{"shard job", "permissions: {contents: read}\njobs:\n  a:\n    steps:\n      - uses: loadgate/loadgate@v0.1.0\n        with: {shard: 1/3}\n", nil},
		{"other run", "permissions: {contents: read, pull-requests: write}\njobs:\n  a:\n    steps:\n      - uses: actions/download-artifact@v4\n        with: {run-id: '7'}\n",
			[]string{`job a: download-artifact of another run (run-id) needs actions: read, but its permissions give actions: "" (left out is none)`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var w workflowFile
			if err := yaml.Unmarshal([]byte(tt.give), &w); err != nil {
				t.Fatal(err)
			}
			if got := workflowProblems(w); fmt.Sprint(got) != fmt.Sprint(tt.want) {
				t.Errorf("workflowProblems =\n%q\nwant\n%q", got, tt.want)
			}
		})
	}
}
