package nsh

import (
	"reflect"
	"testing"
)

func TestParseArgs(t *testing.T) {
	tests := []struct {
		args []string
		want options
		err  string
	}{
		{args: []string{"nsh"}, want: options{}},
		{args: []string{"nsh", "-c", "echo hi"}, want: options{command: "echo hi", hasCmd: true}},
		{args: []string{"nsh", "-c", "echo $*", "a", "-b"}, want: options{command: "echo $*", hasCmd: true, args: []string{"a", "-b"}}},
		{args: []string{"nsh", "-ex", "-c", "x"}, want: options{flags: "ex", command: "x", hasCmd: true}},
		{args: []string{"nsh", "-xc", "x", "y"}, want: options{flags: "x", command: "x", hasCmd: true, args: []string{"y"}}},
		{args: []string{"nsh", "-cecho", "z"}, want: options{command: "echo", hasCmd: true, args: []string{"z"}}},
		{args: []string{"nsh", "script.rc", "-e", "b"}, want: options{file: "script.rc", args: []string{"-e", "b"}}},
		{args: []string{"nsh", "-e", "--", "-script"}, want: options{flags: "e", file: "-script"}},
		{args: []string{"nsh", "-"}, want: options{file: "-"}},
		{args: []string{"nsh", "--share", "--ns", "f", "-c", "x"}, want: options{share: true, nsFile: "f", command: "x", hasCmd: true}},
		{args: []string{"nsh", "--ns=f", "s"}, want: options{nsFile: "f", file: "s"}},
		{args: []string{"nsh", "--norc", "-l"}, want: options{norc: true, flags: "l"}},
		{args: []string{"nsh", "--norc=1"}, err: "option --norc takes no value"},
		{args: []string{"nsh", "-ilsvnI"}, err: "-i and -I exclude each other"},
		{args: []string{"nsh", "-ilsvn"}, want: options{flags: "ilsvn"}},
		{args: []string{"nsh", "--help"}, want: options{help: true}},
		{args: []string{"nsh", "-h"}, want: options{help: true}},
		{args: []string{"nsh", "--version"}, want: options{version: true}},
		{args: []string{"nsh", "-q"}, err: "unknown flag -q"},
		{args: []string{"nsh", "-eq"}, err: "unknown flag -q"},
		{args: []string{"nsh", "-c"}, err: "-c needs a command"},
		{args: []string{"nsh", "--ns"}, err: "--ns needs a file"},
		{args: []string{"nsh", "--bogus"}, err: "unknown option --bogus"},
		{args: []string{"nsh", "--share=yes"}, err: "option --share takes no value"},
	}
	for _, tc := range tests {
		got, err := parseArgs(tc.args)
		if tc.err != "" {
			if err == nil || err.Error() != tc.err {
				t.Errorf("%q: error %v, want %q", tc.args, err, tc.err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%q: %v", tc.args, err)
			continue
		}
		if !reflect.DeepEqual(*got, tc.want) {
			t.Errorf("%q:\n got %+v\nwant %+v", tc.args, *got, tc.want)
		}
	}
}
