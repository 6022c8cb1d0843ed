// Package h1 reads HTTP/1.x responses off a buffered connection without
// allocating: the status line, the few headers that frame the body
// (Content-Length, Transfer-Encoding, Connection), and the body itself, fixed
// length, chunked or until the connection closes. It is the wire half of
// loadtest's Lean transport; the request half is a byte slice the caller
// writes.
//
// It follows RFC 9112 section 6.3 for the body's length, skips 1xx interim
// responses, and rejects what it cannot frame safely (a malformed status
// line, conflicting Content-Length values, a bad chunk size) so that the
// caller closes the connection instead of reading the next response from
// the middle of this one.
package h1

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/http"
)

// MaxHeaderBytes bounds a response head, as net/http's client does (its
// MaxResponseHeaderBytes default is 1 MiB; a load generator needs far less).
const MaxHeaderBytes = 64 << 10

// ErrMalformed is wrapped by every error about the bytes the server sent.
var ErrMalformed = errors.New("malformed HTTP response")

func malformed(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrMalformed, fmt.Sprintf(format, args...))
}

// Response is the head of one response. Its zero value is ready for
// [ReadResponse], which overwrites every field.
type Response struct {
	// Status is the status code, e.g. 200.
	Status int
	// Minor is the protocol's minor version: 1 for HTTP/1.1, 0 for HTTP/1.0.
	Minor int
	// ContentLength is the body's length, or -1 when the body is chunked or
	// ends when the connection closes.
	ContentLength int64
	// Chunked reports a chunked body.
	Chunked bool
	// Close reports that the connection cannot carry another request: the
	// server said Connection: close, or spoke HTTP/1.0 without keep-alive,
	// or the body ends when the connection does.
	Close bool
	// Reason is the reason phrase; it aliases the reader's buffer and is
	// valid only until the next read.
	Reason []byte

	body  int64 // bytes of the current chunk or fixed body left to read
	state bodyState
	long  []byte // a header line longer than the reader's buffer
}

type bodyState uint8

const (
	bodyDone      bodyState = iota // nothing (more) to read
	bodyFixed                      // body bytes left
	bodyChunkHead                  // at a chunk-size line
	bodyChunkData                  // inside a chunk
	bodyUntilEOF                   // until the connection closes
)

// Proto returns "HTTP/1.1" or "HTTP/1.0" as a constant string.
func (r *Response) Proto() string {
	if r.Minor == 0 {
		return "HTTP/1.0"
	}
	return "HTTP/1.1"
}

// ReadResponse reads the head of the next final (non-1xx) response from br
// into r. head says the request was a HEAD, whose response has no body
// whatever its headers say. If header is not nil every header field is also
// added to it (this allocates; the rest of ReadResponse does not).
func ReadResponse(br *bufio.Reader, r *Response, head bool, header http.Header) error {
	for {
		if err := r.readHead(br, head, header); err != nil {
			return err
		}
		if r.Status >= 200 || r.Status == http.StatusSwitchingProtocols {
			return nil
		}
		// 1xx interim response (100 Continue, 103 Early Hints): the final
		// one follows. Its headers are not the response's.
		if header != nil {
			clear(header)
		}
	}
}

func (r *Response) readHead(br *bufio.Reader, head bool, header http.Header) error {
	*r = Response{ContentLength: -1, long: r.long[:0]}
	total := 0
	line, err := r.readLine(br, &total)
	if err != nil {
		return err
	}
	// HTTP/1.x SP 3DIGIT [SP reason]
	if len(line) < 12 || !bytes.HasPrefix(line, []byte("HTTP/1.")) || line[8] != ' ' ||
		(line[7] != '0' && line[7] != '1') || (len(line) > 12 && line[12] != ' ') {
		return malformed("status line %q", truncate(line))
	}
	r.Minor = int(line[7] - '0')
	for _, c := range line[9:12] {
		if c < '0' || c > '9' {
			return malformed("status code in %q", truncate(line))
		}
		r.Status = r.Status*10 + int(c-'0')
	}
	if r.Status < 100 {
		return malformed("status code in %q", truncate(line))
	}
	if len(line) > 13 {
		r.Reason = line[13:]
	}
	keepAlive, closing, encoded := false, false, false
	for {
		line, err := r.readLine(br, &total)
		if err != nil {
			return err
		}
		if len(line) == 0 {
			break
		}
		if line[0] == ' ' || line[0] == '\t' {
			return malformed("obsolete header line folding")
		}
		colon := bytes.IndexByte(line, ':')
		if colon <= 0 {
			return malformed("header line %q", truncate(line))
		}
		name, value := line[:colon], bytes.TrimSpace(line[colon+1:])
		if bytes.ContainsAny(name, " \t") {
			return malformed("header name %q", truncate(name))
		}
		switch {
		case equalFold(name, "Content-Length"):
			n, ok := parseLength(value)
			if !ok || (r.ContentLength >= 0 && r.ContentLength != n) {
				return malformed("Content-Length %q", truncate(value))
			}
			r.ContentLength = n
		case equalFold(name, "Transfer-Encoding"):
			encoded = true
			// The last coding decides: chunked must come last (RFC 9112 6.1).
			last := value
			if i := bytes.LastIndexByte(value, ','); i >= 0 {
				last = bytes.TrimSpace(value[i+1:])
			}
			r.Chunked = equalFold(last, "chunked")
		case equalFold(name, "Connection"):
			for _, tok := range bytes.Split(value, []byte(",")) {
				tok = bytes.TrimSpace(tok)
				keepAlive = keepAlive || equalFold(tok, "keep-alive")
				closing = closing || equalFold(tok, "close")
			}
		}
		if header != nil {
			header.Add(string(name), string(value))
		}
	}
	r.Close = closing || (r.Minor == 0 && !keepAlive)
	switch {
	case head, r.Status < 200, r.Status == http.StatusNoContent, r.Status == http.StatusNotModified:
		r.ContentLength, r.Chunked = 0, false
		r.state = bodyDone
	case r.Chunked:
		r.ContentLength = -1
		r.state = bodyChunkHead
	case encoded:
		// A transfer coding other than chunked: the body ends with the
		// connection (RFC 9112 6.3 item 4).
		r.ContentLength, r.Close = -1, true
		r.state = bodyUntilEOF
	case r.ContentLength >= 0:
		r.body = r.ContentLength
		r.state = bodyFixed
		if r.body == 0 {
			r.state = bodyDone
		}
	default:
		r.Close = true
		r.state = bodyUntilEOF
	}
	return nil
}

// readLine returns the next line without its CRLF (or bare LF). A line
// longer than the reader's buffer is assembled in r.long.
func (r *Response) readLine(br *bufio.Reader, total *int) ([]byte, error) {
	line, err := br.ReadSlice('\n')
	if err == bufio.ErrBufferFull {
		r.long = append(r.long[:0], line...)
		for err == bufio.ErrBufferFull && len(r.long) <= MaxHeaderBytes {
			line, err = br.ReadSlice('\n')
			r.long = append(r.long, line...)
		}
		line = r.long
	}
	*total += len(line)
	switch {
	case err == io.EOF && len(line) > 0, err == bufio.ErrBufferFull:
		err = io.ErrUnexpectedEOF
		if *total > MaxHeaderBytes {
			err = malformed("response head longer than %d bytes", MaxHeaderBytes)
		}
		return nil, err
	case err != nil:
		return nil, err
	case *total > MaxHeaderBytes:
		return nil, malformed("response head longer than %d bytes", MaxHeaderBytes)
	}
	line = line[:len(line)-1]
	if n := len(line); n > 0 && line[n-1] == '\r' {
		line = line[:n-1]
	}
	return line, nil
}

// Read reads the body of the response last read by [ReadResponse]. It
// returns io.EOF at the body's end, and io.ErrUnexpectedEOF if the
// connection ends first (except for a body that ends with the connection).
func (r *Response) Read(br *bufio.Reader, p []byte) (int, error) {
	for {
		switch r.state {
		case bodyDone:
			return 0, io.EOF
		case bodyFixed, bodyChunkData:
			if len(p) == 0 {
				return 0, nil
			}
			if int64(len(p)) > r.body {
				p = p[:r.body]
			}
			n, err := br.Read(p)
			r.body -= int64(n)
			if r.body == 0 {
				if r.state == bodyFixed {
					r.state = bodyDone
				} else if err := r.endChunk(br); err != nil {
					return n, err
				}
			}
			if err == io.EOF {
				err = io.ErrUnexpectedEOF
			}
			if n > 0 {
				return n, nil
			}
			if err != nil {
				return 0, err
			}
		case bodyChunkHead:
			if err := r.nextChunk(br); err != nil {
				return 0, err
			}
		case bodyUntilEOF:
			n, err := br.Read(p)
			if err == io.EOF {
				r.state = bodyDone
				if n > 0 {
					err = nil
				}
			}
			return n, err
		}
	}
}

// Discard reads and drops the body, at most limit bytes of it. It returns
// how many bytes it dropped and whether the body had more than limit bytes
// (then the rest is left unread and the connection must be closed).
func (r *Response) Discard(br *bufio.Reader, limit int64) (n int64, more bool, err error) {
	for {
		switch r.state {
		case bodyDone:
			return n, false, nil
		case bodyFixed, bodyChunkData:
			if n+r.body > limit {
				return n, true, nil
			}
			m, err := br.Discard(int(r.body))
			n += int64(m)
			r.body -= int64(m)
			if err != nil {
				if err == io.EOF {
					err = io.ErrUnexpectedEOF
				}
				return n, false, err
			}
			if r.state == bodyFixed {
				r.state = bodyDone
			} else if err := r.endChunk(br); err != nil {
				return n, false, err
			}
		case bodyChunkHead:
			if err := r.nextChunk(br); err != nil {
				return n, false, err
			}
		case bodyUntilEOF:
			for {
				if n > limit {
					return n, true, nil
				}
				buffered := br.Buffered()
				if buffered == 0 {
					if _, err := br.Peek(1); err == io.EOF {
						r.state = bodyDone
						return n, false, nil
					} else if err != nil {
						return n, false, err
					}
					continue
				}
				m, _ := br.Discard(buffered)
				n += int64(m)
			}
		}
	}
}

// nextChunk reads a chunk-size line; after the last chunk it reads the
// trailer section.
func (r *Response) nextChunk(br *bufio.Reader) error {
	total := 0
	line, err := r.readLine(br, &total)
	if err != nil {
		return eofIsUnexpected(err)
	}
	if i := bytes.IndexByte(line, ';'); i >= 0 {
		line = line[:i] // chunk extensions are ignored
	}
	line = bytes.TrimSpace(line)
	if len(line) == 0 || len(line) > 15 {
		return malformed("chunk size %q", truncate(line))
	}
	var size int64
	for _, c := range line {
		var d byte
		switch {
		case c >= '0' && c <= '9':
			d = c - '0'
		case c >= 'a' && c <= 'f':
			d = c - 'a' + 10
		case c >= 'A' && c <= 'F':
			d = c - 'A' + 10
		default:
			return malformed("chunk size %q", truncate(line))
		}
		size = size<<4 | int64(d)
	}
	if size > 0 {
		r.body, r.state = size, bodyChunkData
		return nil
	}
	for { // trailer section, up to the empty line
		line, err := r.readLine(br, &total)
		if err != nil {
			return eofIsUnexpected(err)
		}
		if len(line) == 0 {
			r.state = bodyDone
			return nil
		}
	}
}

// endChunk reads the CRLF after a chunk's data.
func (r *Response) endChunk(br *bufio.Reader) error {
	b, err := br.ReadByte()
	if err == nil && b == '\r' {
		b, err = br.ReadByte()
	}
	if err != nil {
		return eofIsUnexpected(err)
	}
	if b != '\n' {
		return malformed("chunk data not followed by CRLF")
	}
	r.state = bodyChunkHead
	return nil
}

func eofIsUnexpected(err error) error {
	if err == io.EOF {
		return io.ErrUnexpectedEOF
	}
	return err
}

// parseLength parses a Content-Length value: decimal digits only.
func parseLength(v []byte) (int64, bool) {
	if len(v) == 0 || len(v) > 18 {
		return 0, false
	}
	var n int64
	for _, c := range v {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int64(c-'0')
	}
	return n, true
}

// equalFold reports whether b equals the ASCII string s, ignoring case.
func equalFold(b []byte, s string) bool {
	if len(b) != len(s) {
		return false
	}
	for i := range len(b) {
		c, d := b[i], s[i]
		if c|0x20 != d|0x20 || (c|0x20 < 'a' || c|0x20 > 'z') && c != d {
			return false
		}
	}
	return true
}

func truncate(b []byte) []byte {
	if len(b) > 64 {
		return b[:64]
	}
	return b
}
