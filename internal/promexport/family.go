package promexport

import (
	dto "github.com/prometheus/client_model/go"

	"github.com/loadgate/loadgate/internal/catalogue"
	"github.com/loadgate/loadgate/loadtest"
)

// family is a metric family being built.
type family struct {
	mf *dto.MetricFamily
}

func ptr[T any](v T) *T { return &v }

func newFamily(name, help string, typ dto.MetricType) *family {
	return &family{&dto.MetricFamily{Name: ptr(name), Help: ptr(help), Type: typ.Enum()}}
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

func (f *family) add(l labels, v float64) {
	m := &dto.Metric{Label: l.pairs()}
	switch f.mf.GetType() {
	case dto.MetricType_COUNTER:
		m.Counter = &dto.Counter{Value: ptr(v)}
	default:
		m.Gauge = &dto.Gauge{Value: ptr(v)}
	}
	f.mf.Metric = append(f.mf.Metric, m)
}

// addLatency adds a latency distribution in seconds as a summary: its
// quantiles, count and sum (the mean times the count: a result keeps the
// mean, not the sum).
func (f *family) addLatency(l labels, lat loadtest.Latency) {
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
	f.mf.Metric = append(f.mf.Metric, &dto.Metric{Label: l.pairs(), Summary: s})
}
