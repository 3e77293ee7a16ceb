package demo

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"sync"

	"golang.org/x/sync/errgroup"

	"conclab/iobound"
)

// The downloader as a pipeline, twice: generate URLs -> fetch (fan-out to
// several goroutines, fan-in to one channel) -> parse (the same) -> sum.
// Both count the paragraphs of every page, and both stop at the first
// error. The first is written with channels alone; the second with a
// context and errgroup. Only the second can stop without leaving
// goroutines behind.

// page is a fetched body, or the error that took its place.
type page struct {
	body []byte
	err  error
}

// paragraphs is a parsed page: its count of paragraphs, or the error.
type paragraphs struct {
	n   int
	err error
}

// fetchPage GETs url and returns its body, at most iobound.DefaultBodyCap
// bytes. A status other than 2xx is an error wrapping iobound.ErrStatus.
func fetchPage(ctx context.Context, client *http.Client, url string) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, err
	}
	resp, err := client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, iobound.DefaultBodyCap))
	if err != nil {
		return nil, fmt.Errorf("GET %s: reading the body: %w", iobound.Redact(url), err)
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return nil, fmt.Errorf("GET %s: %w: %s", iobound.Redact(url), iobound.ErrStatus, resp.Status)
	}
	return body, nil
}

// countParagraphs is the parse stage's work.
func countParagraphs(body []byte) int { return bytes.Count(body, []byte("<p>")) }

// leakySum is the pipeline as it is often first written: unbuffered
// channels between the stages, and a consumer that returns at the first
// error. Returning is all it does: nobody upstream is told, so every stage
// goroutine ends up blocked on a send that no one will ever receive. Such a
// goroutine is never collected; its stack and everything it references
// stay until the process exits.
//
// release is not part of the pipeline: the consumer never closes it. It is
// the demonstration's back door, closed once the leak has been counted, so
// that the process (and the tests' leak checker) ends clean.
func leakySum(client *http.Client, urls []string, fetchers, parsers int, release <-chan struct{}) (int, error) {
	urlc := make(chan string)
	go leakyGenerate(urls, urlc, release)

	pages := make(chan page)
	var fetching sync.WaitGroup
	for range fetchers { // fan-out: the fetchers share urlc ...
		fetching.Go(func() { leakyFetch(client, urlc, pages, release) })
	}
	go leakyCloseAfter(&fetching, pages) // ... and fan in to pages

	counts := make(chan paragraphs)
	var parsing sync.WaitGroup
	for range parsers {
		parsing.Go(func() { leakyParse(pages, counts, release) })
	}
	go leakyCloseAfter(&parsing, counts)

	total := 0
	for c := range counts {
		if c.err != nil {
			return total, c.err // the leak: every goroutine above is left blocked
		}
		total += c.n
	}
	return total, nil
}

func leakyGenerate(urls []string, out chan<- string, release <-chan struct{}) {
	defer close(out)
	for _, u := range urls {
		if !leakySend(out, u, release) {
			return
		}
	}
}

func leakyFetch(client *http.Client, in <-chan string, out chan<- page, release <-chan struct{}) {
	for u := range in {
		// No context: nobody could cancel the request anyway. The
		// client's timeout bounds it.
		body, err := fetchPage(context.Background(), client, u)
		if !leakySend(out, page{body, err}, release) {
			return
		}
	}
}

func leakyParse(in <-chan page, out chan<- paragraphs, release <-chan struct{}) {
	for p := range in {
		c := paragraphs{err: p.err}
		if p.err == nil {
			c.n = countParagraphs(p.body)
		}
		if !leakySend(out, c, release) {
			return
		}
	}
}

// leakyCloseAfter closes ch once every sender has returned: the fan-in.
func leakyCloseAfter[T any](senders *sync.WaitGroup, ch chan<- T) {
	senders.Wait()
	close(ch)
}

// leakySend is a plain send, out <- v, as the pipeline was written; the
// second case is only the demonstration's way to end the goroutines it has
// counted. It reports whether v was sent.
func leakySend[T any](out chan<- T, v T, release <-chan struct{}) bool {
	select {
	case out <- v:
		return true
	case <-release:
		return false
	}
}

// fixedSum is the same pipeline with a context and errgroup. An error is
// not a value sent downstream to a consumer that may walk away: it is
// returned to the group, which cancels the context that every send and
// every request watches; and Wait returns only once every goroutine of the
// group has. The fetches are one goroutine per URL, at most fetchers at a
// time (SetLimit), rather than a fixed set of workers: the limit does the
// pool's job.
func fixedSum(ctx context.Context, client *http.Client, urls []string, fetchers, parsers int) (int, error) {
	g, ctx := errgroup.WithContext(ctx)
	pages := make(chan []byte)
	g.Go(func() error { return fixedFetch(ctx, client, urls, fetchers, pages) })
	counts := make(chan int)
	g.Go(func() error { return fixedParse(ctx, pages, parsers, counts) })

	total := 0
	for {
		select {
		case n, ok := <-counts:
			if !ok {
				return total, g.Wait()
			}
			total += n
		case <-ctx.Done():
			// The consumer quits at the first error, as the leaky one did,
			// but Wait keeps it until every stage has seen the
			// cancellation and returned.
			return total, g.Wait()
		}
	}
}

// fixedFetch fetches every URL on its own goroutine, at most fetchers at a
// time, sends the bodies to out and closes it once all have returned. The
// first failure cancels the others.
func fixedFetch(ctx context.Context, client *http.Client, urls []string, fetchers int, out chan<- []byte) error {
	defer close(out)
	g, ctx := errgroup.WithContext(ctx)
	g.SetLimit(fetchers)
	for _, u := range urls {
		if ctx.Err() != nil {
			break // no new fetch once one has failed
		}
		g.Go(func() error { // blocks while fetchers are running
			body, err := fetchPage(ctx, client, u)
			if err != nil {
				return err
			}
			return fixedSend(ctx, out, body)
		})
	}
	return g.Wait()
}

// fixedParse counts the paragraphs of every page on parsers goroutines and
// closes out once all have returned.
func fixedParse(ctx context.Context, in <-chan []byte, parsers int, out chan<- int) error {
	defer close(out)
	var g errgroup.Group
	for range parsers {
		g.Go(func() error {
			for body := range in { // in is closed once the fetches have returned
				if err := fixedSend(ctx, out, countParagraphs(body)); err != nil {
					return err
				}
			}
			return nil
		})
	}
	return g.Wait()
}

// fixedSend sends v unless ctx is done first: the send every stage of a
// pipeline needs, because its receiver may stop receiving.
func fixedSend[T any](ctx context.Context, out chan<- T, v T) error {
	select {
	case out <- v:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
