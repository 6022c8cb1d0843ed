// Package gotest is loadgate's one driver of go test: the loadgate command
// (loadgate run, loadgate baseline update) and the GitHub Action both run
// their load tests through it, so that they see the same tests, outcomes
// and settings.
//
// Data flows in this order:
//
//  1. [List] resolves the package patterns with go list; a pattern that
//     matches nothing is an error naming it.
//  2. [Settings.Env] is the one rule for what the tests see: the caller's
//     environment, with loadgate's variables (results directory, baseline
//     directory, policy and SLA files, update mode, progress) replacing any
//     inherited value.
//  3. [Start] starts go test -json in a process group of its own; its
//     events arrive on [Process.Events], and [Process.Interrupt] stops it
//     as Ctrl-C would.
//  4. [Process.Follow] folds the events into a [Session]: tests and
//     packages, their outcomes over every run, output, build failures and
//     the live progress records of internal/progress.
package gotest
