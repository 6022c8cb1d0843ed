package shop

import (
	"io"
	"log/slog"
	"net/http"
	"time"
)

// AccessLog returns h with an access log written to w: one JSON line per
// request (log/slog's JSON handler), with the request's method and path,
// its status, how long h took to answer it, and the ids that find it again
// from a load test's result: the X-Request-ID it was sent with and the
// trace id of its W3C traceparent. A load test's slowest requests
// (loadtest.Result.Slowest) carry the same two ids:
//
//	{"time":"…","level":"INFO","msg":"request","method":"POST","path":"/checkout/u7","status":200,
//	 "duration_ns":1834112,"request_id":"4f1c…-812","trace_id":"4f1c…9a3e"}
//
// The duration is measured around h, so it leaves out what happens before
// the handler runs (the TCP accept, reading the request head) and after
// (writing a buffered response), as the access logs of most Go services do.
func AccessLog(w io.Writer, h http.Handler) http.Handler {
	log := slog.New(slog.NewJSONHandler(w, nil))
	return http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: rw, code: http.StatusOK}
		h.ServeHTTP(sw, r)
		took := time.Since(start)
		traceID := ""
		if tp := r.Header.Get("Traceparent"); len(tp) >= 35 && tp[2] == '-' {
			traceID = tp[3:35]
		}
		log.LogAttrs(r.Context(), slog.LevelInfo, "request",
			slog.String("method", r.Method), slog.String("path", r.URL.Path), slog.Int("status", sw.code),
			slog.Int64("duration_ns", int64(took)),
			slog.String("request_id", r.Header.Get("X-Request-ID")), slog.String("trace_id", traceID))
	})
}

// statusWriter remembers the status code of a response.
type statusWriter struct {
	http.ResponseWriter
	code int
}

func (w *statusWriter) WriteHeader(code int) {
	w.code = code
	w.ResponseWriter.WriteHeader(code)
}
