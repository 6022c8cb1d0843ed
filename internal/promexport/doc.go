// Package promexport writes loadgate results in the Prometheus text
// exposition format, for loadgate export -format prometheus and its push
// to a Pushgateway.
//
// [Families] turns results into metric families: the metrics and latency
// distributions of internal/catalogue, each in the family its row names,
// and the families that describe a run or break it down (by error kind,
// status code, request name). [Write] encodes them.
//
// The export is a package of its own rather than a file of baseline beside
// the bench export because it needs prometheus/client_model (and through
// it protobuf), which the test binaries of baseline's users should not
// link; it is internal because its API hands out client_model's types,
// which loadgate should not promise to keep.
package promexport
