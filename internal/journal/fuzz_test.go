package journal

import (
	"bytes"
	"testing"
)

// FuzzReadRecords: any bytes are read without a panic; what is read is a
// prefix of the input that re-encodes to exactly those bytes, and the torn
// count is the rest.
func FuzzReadRecords(f *testing.F) {
	two := AppendRecord(AppendRecord(nil, 7, []byte("line one\n")), 1<<63, nil)
	f.Add(two)
	f.Add(two[:len(two)-3])
	f.Add([]byte{})
	f.Add([]byte{0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0})
	f.Fuzz(func(t *testing.T, b []byte) {
		var again []byte
		torn, err := ReadRecords(b, func(tag uint64, data []byte) error {
			again = AppendRecord(again, tag, data)
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if torn < 0 || len(again)+torn != len(b) {
			t.Fatalf("read %d bytes + torn %d != %d", len(again), torn, len(b))
		}
		if !bytes.Equal(again, b[:len(again)]) {
			t.Fatalf("records re-encode to other bytes")
		}
	})
}
