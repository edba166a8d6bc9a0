//go:build !linux

package aireport

import "unsafe"

func adviseHuge(unsafe.Pointer, int) {}
