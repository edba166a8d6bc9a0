//go:build !amd64

package exactcount

// prefetch is a hint only; without an assembly version it does nothing.
func prefetch(addr uintptr) {}
