package promexport

import (
	dto "github.com/prometheus/client_model/go"

	"github.com/loadgate/loadgate/internal/catalogue"
	"github.com/loadgate/loadgate/loadtest"
)

// kinds are the client_model types of the catalogue's kinds of family.
var kinds = map[catalogue.Kind]dto.MetricType{
	catalogue.Counter: dto.MetricType_COUNTER,
	catalogue.Gauge:   dto.MetricType_GAUGE,
	catalogue.Summary: dto.MetricType_SUMMARY,
}

func ptr[T any](v T) *T { return &v }

// families holds, by name, the metric families being built, each made when
// its first series comes.
type families map[string]*dto.MetricFamily

func (fs families) family(f *catalogue.Family) *dto.MetricFamily {
	if fs[f.Name] == nil {
		fs[f.Name] = &dto.MetricFamily{Name: ptr(f.Name), Help: ptr(f.Help), Type: kinds[f.Kind].Enum()}
	}
	return fs[f.Name]
}

// labels are label pairs in the order they are written.
type labels [][2]string

func (l labels) with(name, value string) labels {
	return append(l[:len(l):len(l)], [2]string{name, value})
}

// withPair adds the label pair p of a catalogue series, if it has one.
func (l labels) withPair(p [2]string) labels {
	if p[0] == "" {
		return l
	}
	return l.with(p[0], p[1])
}

func (l labels) pairs() []*dto.LabelPair {
	out := make([]*dto.LabelPair, len(l))
	for i, p := range l {
		out[i] = &dto.LabelPair{Name: ptr(p[0]), Value: ptr(p[1])}
	}
	return out
}

// add adds the series l of counter or gauge family f.
func (fs families) add(f *catalogue.Family, l labels, v float64) {
	mf := fs.family(f)
	m := &dto.Metric{Label: l.pairs()}
	if f.Kind == catalogue.Counter {
		m.Counter = &dto.Counter{Value: ptr(v)}
	} else {
		m.Gauge = &dto.Gauge{Value: ptr(v)}
	}
	mf.Metric = append(mf.Metric, m)
}

// addLatency adds a latency distribution in seconds as the series l of
// summary family f: its quantiles, count and sum (the mean times the
// count: a result keeps the mean, not the sum).
func (fs families) addLatency(f *catalogue.Family, l labels, lat loadtest.Latency) {
	mf := fs.family(f)
	if lat.Count == 0 {
		return
	}
	s := &dto.Summary{
		SampleCount: ptr(uint64(lat.Count)),
		SampleSum:   ptr(float64(lat.MeanNS) * float64(lat.Count) / 1e9),
	}
	for _, q := range catalogue.Quantiles() {
		s.Quantile = append(s.Quantile, &dto.Quantile{Quantile: ptr(q.Q), Value: ptr(float64(q.NS(lat)) / 1e9)})
	}
	mf.Metric = append(mf.Metric, &dto.Metric{Label: l.pairs(), Summary: s})
}
