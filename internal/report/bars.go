package report

import (
	"cmp"
	"fmt"
	"html"
	"html/template"
	"maps"
	"slices"
	"strings"

	"github.com/loadgate/loadgate/assert"
	"github.com/loadgate/loadgate/internal/catalogue"
	"github.com/loadgate/loadgate/loadtest"
)

// maxNames bounds the request names a bar chart shows: the busiest.
const maxNames = 20

// barChart compares latencies by category (an HTTP phase, a request
// name): p50 and p99 of each side as bars, drawn in SVG by Go so that they
// need no script, with the same figures in a table.
type barChart struct {
	SVG  template.HTML
	Rows []barRow
	More int // categories left out
}

type barRow struct {
	Name, Requests, HeadP50, HeadP90, HeadP99, BaseP50, BaseP99 string
	// Errors are the head's failed requests of the name and their share
	// ("3 (1.5%)"); empty for a phase, which has none of its own.
	Errors string
}

type barItem struct {
	name       string
	requests   int64
	errors     string
	head, base *loadtest.Latency
}

// phaseBars compares the HTTP phases; nil when the target reported none.
func phaseBars(sd sides) *barChart {
	if len(sd.head.Phases) == 0 {
		return nil
	}
	var items []barItem
	for _, ph := range catalogue.Phases() {
		h, ok := sd.head.Phases[ph]
		if !ok {
			continue
		}
		it := barItem{name: ph, requests: h.Count, head: &h}
		if sd.base != nil {
			if b, ok := sd.base.Phases[ph]; ok {
				it.base = &b
			}
		}
		items = append(items, it)
	}
	return bars(items, 0)
}

// nameBars compares the latency of each request name, the busiest first;
// nil when the target named no request.
func nameBars(sd sides) *barChart {
	if len(sd.head.ByName) == 0 {
		return nil
	}
	names := slices.SortedFunc(maps.Keys(sd.head.ByName), func(a, b string) int {
		return cmp.Or(cmp.Compare(sd.head.ByName[b].Requests, sd.head.ByName[a].Requests), strings.Compare(a, b))
	})
	more := max(0, len(names)-maxNames)
	names = names[:len(names)-more]
	var items []barItem
	for _, n := range names {
		h := sd.head.ByName[n]
		// A Flow's failing step is found here: the summary and the
		// result's by_name give each name's errors, so the page does.
		it := barItem{name: n, requests: h.Requests, errors: fmt.Sprintf("%d (%s)", h.Errors, pct(h.ErrorRate)), head: &h.Latency}
		if sd.base != nil {
			if b, ok := sd.base.ByName[n]; ok {
				it.base = &b.Latency
			}
		}
		items = append(items, it)
	}
	return bars(items, more)
}

func bars(items []barItem, more int) *barChart {
	if len(items) == 0 {
		return nil
	}
	const (
		width, label, barH, gapH, right = 820.0, labelWidth, 13.0, 10.0, 230.0
	)
	var top float64
	hasBase := false
	for _, it := range items {
		top = max(top, float64(it.head.P99NS))
		if it.base != nil {
			hasBase = true
			top = max(top, float64(it.base.P99NS))
		}
	}
	if top <= 0 {
		top = 1
	}
	scale := (width - label - right) / top
	perItem := barH + gapH
	if hasBase {
		perItem += barH
	}
	height := perItem*float64(len(items)) + gapH + 16
	var b strings.Builder
	fmt.Fprintf(&b, `<svg class="bars" role="img" viewBox="0 0 %.0f %.0f" width="%.0f" height="%.0f" xmlns="http://www.w3.org/2000/svg">`, width, height, width, height)
	dur := func(ns int64) string { return assert.UnitDuration.Format(float64(ns)) }
	bar := func(y float64, l *loadtest.Latency, light, dark, who string) {
		fmt.Fprintf(&b, `<rect x="%.1f" y="%.1f" width="%.1f" height="%.0f" fill="%s"><title>%s p99 %s</title></rect>`,
			label, y, max(1, float64(l.P99NS)*scale), barH, light, who, dur(l.P99NS))
		fmt.Fprintf(&b, `<rect x="%.1f" y="%.1f" width="%.1f" height="%.0f" fill="%s"><title>%s p50 %s</title></rect>`,
			label, y, max(1, float64(l.P50NS)*scale), barH, dark, who, dur(l.P50NS))
		fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" class="v">%s p50 %s · p99 %s</text>`,
			label+max(1, float64(l.P99NS)*scale)+6, y+barH-2, who, dur(l.P50NS), dur(l.P99NS))
	}
	y := gapH
	out := &barChart{More: more}
	for _, it := range items {
		name := clipLabel(it.name)
		title := ""
		if name != it.name {
			title = "<title>" + html.EscapeString(it.name) + "</title>"
		}
		fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" class="k" text-anchor="end">%s%s</text>`, label-labelGap, y+barH-2, title, html.EscapeString(name))
		row := barRow{Name: it.name, Requests: fmt.Sprint(it.requests), Errors: it.errors, HeadP50: dur(it.head.P50NS), HeadP90: dur(it.head.P90NS), HeadP99: dur(it.head.P99NS)}
		if it.base != nil {
			bar(y, it.base, "#dee2e6", "#adb5bd", "base")
			y += barH
			row.BaseP50, row.BaseP99 = dur(it.base.P50NS), dur(it.base.P99NS)
		}
		bar(y, it.head, "#ffa8a8", "#2b8a3e", "head")
		y += barH + gapH
		out.Rows = append(out.Rows, row)
	}
	fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" class="legend">bar: p99; darker part: p50</text></svg>`, label, height-4)
	out.SVG = template.HTML(b.String())
	return out
}

// The labels' column: a label ends labelGap before the bars, which
// begin at labelWidth. report.css draws labels at labelFontPx.
const (
	labelWidth, labelGap, labelFontPx = 200.0, 8.0, 11.5
)

// clipLabel shortens a bar's label to the width of its column, as the
// page's sans-serif font draws it (labelEms estimates): a longer name
// keeps what fits before "…", whole characters only (the page must stay
// valid UTF-8). The label's tooltip and the table beside the chart have
// the whole name. Clipped by characters, a 24-character path such as
// "POST /api/v1/orders/{id}" ran off the chart's left edge, and a name in
// Japanese ran off at half that.
func clipLabel(name string) string {
	const room = (labelWidth - labelGap) / labelFontPx // in ems
	if labelEms(name) <= room {
		return name
	}
	used := labelEms("…")
	for i, r := range name {
		if used += labelEms(string(r)); used > room {
			return name[:i] + "…"
		}
	}
	return name
}

// labelEms estimates the width of s in ems as a sans-serif font draws it:
// East Asian and emoji characters and m, w one em, the mathematical signs
// (= + # < > ~ ^) 0.84 (DejaVu Sans draws them 0.838), capitals 0.8,
// narrow letters and punctuation 0.42, others (digits 0.636, most
// lowercase letters up to 0.635) 0.66. It errs wide, so that a label
// clipped by it fits.
func labelEms(s string) float64 {
	w := 0.0
	for _, r := range s {
		switch {
		case wideRune(r):
			w += 1
		case strings.ContainsRune("ijlrtf.,:;|!'()[]/\\ ", r):
			w += 0.42
		case strings.ContainsRune("mwMW%@…", r):
			w += 1
		case strings.ContainsRune("=+#<>~^", r):
			w += 0.84
		case r >= 'A' && r <= 'Z':
			w += 0.8
		default:
			w += 0.66
		}
	}
	return w
}

// wideRune says whether r is drawn a full em wide: the East Asian scripts'
// blocks and the emoji.
func wideRune(r rune) bool {
	switch {
	case r >= 0x1100 && r <= 0x115F, // Hangul Jamo
		r >= 0x2E80 && r <= 0xA4CF,                             // CJK radicals … Yi
		r >= 0xAC00 && r <= 0xD7A3,                             // Hangul syllables
		r >= 0xF900 && r <= 0xFAFF,                             // CJK compatibility ideographs
		r >= 0xFE30 && r <= 0xFE4F,                             // CJK compatibility forms
		r >= 0xFF00 && r <= 0xFF60, r >= 0xFFE0 && r <= 0xFFE6, // fullwidth forms
		r >= 0x1F300 && r <= 0x1FAFF, // emoji
		r >= 0x20000 && r <= 0x3FFFD: // CJK extensions
		return true
	}
	return false
}
