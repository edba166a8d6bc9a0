//go:build !linux

package aireport

func mapFile(*Source) ([]byte, func(), bool) { return nil, nil, false }

func dropPages([]byte) {}
