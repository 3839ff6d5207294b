//go:build cgo

package main

// nsh is linked statically: a dynamically linked program spends a few
// hundred microseconds in the loader before session's constructor runs,
// and every session, every script, pays it. nsh needs nothing of the C
// library beyond that constructor's system calls (it links neither
// os/user's nor net's C lookups, which a static C library cannot serve).

// #cgo LDFLAGS: -static
import "C"
