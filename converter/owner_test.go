package converter

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"io"
	"os"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/sync/errgroup"
)

// pipes returns a client's ends and the owner's ends of two OS pipes, as a
// worker process and its owner hold them.
func pipes(t *testing.T) (clientR, clientW, ownerR, ownerW *os.File) {
	t.Helper()
	ownerR, clientW, err := os.Pipe()
	require.NoError(t, err)
	clientR, ownerW, err = os.Pipe()
	require.NoError(t, err)
	t.Cleanup(func() {
		for _, f := range []*os.File{clientR, clientW, ownerR, ownerW} {
			f.Close()
		}
	})
	return clientR, clientW, ownerR, ownerW
}

// serve runs o.Serve on the owner's ends and closes the writer when it
// returns, as an owner process does; the returned func waits for it.
func serve(ctx context.Context, o *Owner, r io.Reader, w io.WriteCloser) func() error {
	done := make(chan error, 1)
	go func() {
		err := o.Serve(ctx, r, w)
		w.Close()
		done <- err
	}()
	return func() error { return <-done }
}

func TestOwnerComputesEachAmountOnceForAllClients(t *testing.T) {
	rules := DefaultRules()
	amounts, err := validAmounts(rules, 50)
	require.NoError(t, err)

	for _, tc := range []struct {
		name    string
		clients int
		callers int // goroutines per client
	}{
		{"one client", 1, 8},
		{"four clients", 4, 4},
		{"eight clients, one caller each", 8, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var computed sync.Map // amount -> *atomic.Int64
			o, err := NewOwner(rules, Options{
				Capacity: len(amounts),
				OnCompute: func(_ context.Context, p int64) {
					n, _ := computed.LoadOrStore(p, new(atomic.Int64))
					n.(*atomic.Int64).Add(1)
					time.Sleep(time.Millisecond) // keep the flight open, so misses overlap
				},
			}, 0)
			require.NoError(t, err)

			var g errgroup.Group
			var waits []func() error
			for range tc.clients {
				cr, cw, or, ow := pipes(t)
				waits = append(waits, serve(t.Context(), o, or, ow))
				c, err := NewOwnerClient(cr, cw, rules, 0)
				require.NoError(t, err)
				var cg errgroup.Group
				for range tc.callers {
					cg.Go(func() error {
						for _, p := range amounts {
							got, err := c.Convert(t.Context(), p)
							if err != nil {
								return err
							}
							want, _ := rules.Convert(p)
							if got != want {
								return errors.New(got.String() + " != " + want.String())
							}
						}
						return nil
					})
				}
				g.Go(func() error {
					if err := cg.Wait(); err != nil {
						return err
					}
					return c.Close()
				})
			}
			require.NoError(t, g.Wait())
			for _, wait := range waits {
				require.NoError(t, wait())
			}

			st := o.Stats()
			calls := int64(tc.clients * tc.callers * len(amounts))
			assert.Equal(t, calls, st.Hits+st.Misses, "every call reached the owner")
			assert.Equal(t, int64(len(amounts)), st.Computations, "each amount computed once")
			computed.Range(func(k, v any) bool {
				assert.Equal(t, int64(1), v.(*atomic.Int64).Load(), "amount %d", k)
				return true
			})
		})
	}
}

func TestOwnerClientErrors(t *testing.T) {
	rules := DefaultRules()
	for _, tc := range []struct {
		name string
		// owner plays the owner's side of the pipes.
		owner func(r io.Reader, w io.WriteCloser)
		want  []error
	}{
		{
			name:  "the owner goes away",
			owner: func(r io.Reader, w io.WriteCloser) { w.Close() },
			want:  []error{ErrOwner, io.ErrUnexpectedEOF},
		},
		{
			name: "the owner never answers",
			owner: func(r io.Reader, w io.WriteCloser) {
				io.Copy(io.Discard, r)
				w.Close()
			},
			want: []error{ErrOwner, context.DeadlineExceeded},
		},
		{
			name: "the owner answers garbage",
			owner: func(r io.Reader, w io.WriteCloser) {
				bufio.NewReader(r).ReadString('\n')
				io.WriteString(w, "not json\n")
				w.Close()
			},
			want: []error{ErrOwner},
		},
		{
			name: "the owner sends a rule's error",
			owner: func(r io.Reader, w io.WriteCloser) {
				var req ownerMsg
				json.NewDecoder(r).Decode(&req)
				json.NewEncoder(w).Encode(ownerMsg{ID: req.ID, Err: "too big", Code: codeOf(ErrOverflow)})
				io.Copy(io.Discard, r)
				w.Close()
			},
			want: []error{ErrOverflow},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cr, cw, or, ow := pipes(t)
			done := make(chan struct{})
			go func() {
				defer close(done)
				tc.owner(or, ow)
			}()
			c, err := NewOwnerClient(cr, cw, rules, 200*time.Millisecond)
			require.NoError(t, err)
			_, err = c.Convert(t.Context(), 1000)
			require.Error(t, err)
			for _, want := range tc.want {
				assert.ErrorIs(t, err, want)
			}
			c.Close()
			<-done
		})
	}
}

func TestOwnerClientChecksAmountsItself(t *testing.T) {
	cr, cw, or, ow := pipes(t)
	o, err := NewOwner(DefaultRules(), Options{}, 0)
	require.NoError(t, err)
	wait := serve(t.Context(), o, or, ow)
	c, err := NewOwnerClient(cr, cw, DefaultRules(), 0)
	require.NoError(t, err)
	_, err = c.Convert(t.Context(), 1001)
	assert.ErrorIs(t, err, ErrNotStep)
	require.NoError(t, c.Close())
	require.NoError(t, wait())
	assert.Zero(t, o.Stats().Misses, "a refused amount never reaches the owner")
}

func TestOwnerAndClientRefuseNegativeTimeouts(t *testing.T) {
	_, err := NewOwner(DefaultRules(), Options{}, -time.Second)
	assert.Error(t, err)
	cr, cw, _, _ := pipes(t)
	_, err = NewOwnerClient(cr, cw, DefaultRules(), -time.Second)
	assert.Error(t, err)
}
