// Package grpccode names gRPC status codes as the gRPC specification
// spells them ("OK", "UNAVAILABLE", "DEADLINE_EXCEEDED"): the keys of a
// result's status_codes for gRPC targets, which loadtest/grpcload writes
// and package assert reads in status(UNAVAILABLE). It imports nothing of
// gRPC, so that assert and its users do not link it.
//
// grpc-go's own codes.Code.String spells them otherwise ("Unavailable",
// "DeadlineExceeded", "Canceled"); the specification's names are the ones
// other tools and languages print, so they are the ones results carry.
package grpccode

import (
	"strconv"
	"strings"
)

// names are the codes' names by number, from the gRPC specification
// (doc/statuscodes.md in github.com/grpc/grpc).
var names = [...]string{
	"OK",
	"CANCELLED",
	"UNKNOWN",
	"INVALID_ARGUMENT",
	"DEADLINE_EXCEEDED",
	"NOT_FOUND",
	"ALREADY_EXISTS",
	"PERMISSION_DENIED",
	"RESOURCE_EXHAUSTED",
	"FAILED_PRECONDITION",
	"ABORTED",
	"OUT_OF_RANGE",
	"UNIMPLEMENTED",
	"INTERNAL",
	"UNAVAILABLE",
	"DATA_LOSS",
	"UNAUTHENTICATED",
}

// kinds are the error kinds of the codes: "grpc_" and the name in lower
// case, built once so that naming a code allocates nothing.
var kinds = func() (k [len(names)]string) {
	for i, n := range names {
		k[i] = "grpc_" + strings.ToLower(n)
	}
	return k
}()

// Name returns the name of code: "UNAVAILABLE" for 14, and "CODE_<n>" for
// a number the specification does not define.
func Name(code uint32) string {
	if int(code) < len(names) {
		return names[code]
	}
	return "CODE_" + strconv.FormatUint(uint64(code), 10)
}

// Kind returns the error kind of code: "grpc_unavailable" for 14.
func Kind(code uint32) string {
	if int(code) < len(kinds) {
		return kinds[code]
	}
	return "grpc_" + strings.ToLower(Name(code))
}

// Lookup returns the specification's spelling of name, read
// case-insensitively ("unavailable" is "UNAVAILABLE"), and whether it is
// a code's name. A code outside the specification is named as [Name]
// names it in results, "CODE_42"; "code_5" is NOT_FOUND.
func Lookup(name string) (string, bool) {
	for _, n := range names {
		if strings.EqualFold(n, name) {
			return n, true
		}
	}
	if len(name) > len("CODE_") && strings.EqualFold(name[:len("CODE_")], "CODE_") {
		digits := name[len("CODE_"):]
		if n, err := strconv.ParseUint(digits, 10, 32); err == nil && (digits[0] != '0' || digits == "0") {
			return Name(uint32(n)), true
		}
	}
	return "", false
}

// Suggest returns the specification's spelling of a name that is not one
// but means a code: grpc-go's constants and their String forms
// ("DeadlineExceeded", "NotFound"), which drop the underscores, and
// "Canceled", which grpc-go spells with one L. It is for error messages:
// results carry only the specification's names, so such a name matches
// nothing.
func Suggest(name string) (string, bool) {
	squash := strings.ReplaceAll(name, "_", "")
	if strings.EqualFold(squash, "canceled") {
		return names[1], true
	}
	for _, n := range names {
		if strings.EqualFold(strings.ReplaceAll(n, "_", ""), squash) {
			return n, true
		}
	}
	return "", false
}
