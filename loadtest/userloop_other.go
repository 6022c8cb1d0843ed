//go:build !linux

package loadtest

import (
	"errors"
	"net"
)

// userLoopPlatform says whether this platform has user loops: they need
// epoll.
const userLoopPlatform = false

type userLoops struct{}

type loopUser struct{}

func newUserLoops(userBody) *userLoops { return nil }
func (*userLoops) start(int) bool      { return false }
func (*userLoops) wake()               {}
func (*userLoops) close()              {}
func (*loopUser) pause(int64)          {}
func (*loopUser) run(f func())         { f() }
func newLoopConn(*loopUser, net.Conn) (net.Conn, error) {
	return nil, errors.New("loadtest: no user loops on this platform")
}
