//go:build !linux

package exactcount

import "unsafe"

func adviseHuge(unsafe.Pointer, int) {}
