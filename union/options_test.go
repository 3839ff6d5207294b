package union

import (
	"reflect"
	"testing"
)

func TestParseOptions(t *testing.T) {
	tests := []struct {
		super string
		want  Layers
	}{
		{
			// As this kernel writes it for layers added as descriptors.
			`ro,lowerdir+=/t/we:ird\054dir\134x,lowerdir+=/t/sp\040ace,lowerdir+=/t/eq=ual,lowerdir+=/t/tab\011x,redirect_dir=on`,
			Layers{Lower: []string{`/t/we:ird,dir\x`, "/t/sp ace", "/t/eq=ual", "/t/tab\tx"}},
		},
		{
			`rw,lowerdir+=/a,lowerdir+=/b,upperdir=/u/up,workdir=/u/w\012k,uuid=on`,
			Layers{Lower: []string{"/a", "/b"}, Upper: "/u/up", Work: "/u/w\nk"},
		},
		{
			// A name that itself looks like an escape stays literal.
			`ro,lowerdir+=/a\134054b`,
			Layers{Lower: []string{`/a\054b`}},
		},
		{
			`rw,lowerdir=/a\134:b:/c,upperdir=/u,workdir=/w`,
			Layers{Lower: []string{"/a:b", "/c"}, Upper: "/u", Work: "/w", Legacy: true},
		},
		{`rw`, Layers{}},
	}
	for _, tt := range tests {
		got := ParseOptions(tt.super)
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("ParseOptions(%q)\n got %#v\nwant %#v", tt.super, got, tt.want)
		}
	}
}
