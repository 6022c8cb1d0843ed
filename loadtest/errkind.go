package loadtest

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"io"
	"net"
	"os"
	"syscall"
)

// Error kinds the harness derives from a failed request's error. A [Target]
// can name its own kind with [Sample.Kind] or by returning an error made
// with [KindError].
const (
	KindTimeout  = "timeout"  // the per-request timeout or a network timeout
	KindCanceled = "canceled" // the request's context was canceled
	KindRefused  = "refused"  // connection refused
	KindReset    = "reset"    // connection reset or broken pipe
	KindEOF      = "eof"      // the peer closed the connection early
	KindDNS      = "dns"      // name resolution failed
	KindTLS      = "tls"      // TLS handshake or certificate failure
	KindPanic    = "panic"    // the target panicked
	KindOther    = "other"    // anything else
)

// kindError carries an explicit error kind.
type kindError struct {
	kind string
	err  error
}

func (e *kindError) Error() string { return e.err.Error() }
func (e *kindError) Unwrap() error { return e.err }

// KindError returns err labelled with kind, so that a [Func] target can put
// its failures into kinds of its own ("validation", "quota"…).
func KindError(kind string, err error) error {
	if err == nil {
		return nil
	}
	return &kindError{kind: kind, err: err}
}

// ErrorKind returns the kind of a failed request's error: the kind given by
// [KindError] if any, else one of the Kind constants.
func ErrorKind(err error) string {
	var ke *kindError
	if errors.As(err, &ke) {
		return ke.kind
	}
	var (
		dnsErr     *net.DNSError
		recordErr  tls.RecordHeaderError
		alertErr   tls.AlertError
		verifyErr  *tls.CertificateVerificationError
		unknownCA  x509.UnknownAuthorityError
		hostErr    x509.HostnameError
		invalidErr x509.CertificateInvalidError
		netErr     net.Error
	)
	switch {
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, os.ErrDeadlineExceeded):
		return KindTimeout
	case errors.Is(err, context.Canceled):
		return KindCanceled
	case errors.As(err, &dnsErr):
		if dnsErr.IsTimeout {
			return KindTimeout
		}
		return KindDNS
	case errors.As(err, &recordErr), errors.As(err, &alertErr), errors.As(err, &verifyErr),
		errors.As(err, &unknownCA), errors.As(err, &hostErr), errors.As(err, &invalidErr):
		return KindTLS
	case errors.Is(err, syscall.ECONNREFUSED):
		return KindRefused
	case errors.Is(err, syscall.ECONNRESET), errors.Is(err, syscall.EPIPE), errors.Is(err, syscall.ECONNABORTED):
		return KindReset
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return KindEOF
	case errors.As(err, &netErr) && netErr.Timeout():
		return KindTimeout
	}
	return KindOther
}
