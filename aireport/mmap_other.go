//go:build !(linux || darwin || freebsd)

package aireport

func mapFile(*Source) ([]byte, func(), bool) { return nil, nil, false }
