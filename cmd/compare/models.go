package main

import (
	"conclab/bench"
	"conclab/eventloop"
	"conclab/multiproc"
	"conclab/sequential"
	"conclab/threaded"
)

// modelSpec is one row of compare's tables: a name, a line for -h, the
// flags that only it reads, and how to build the model from the flags.
type modelSpec struct {
	name  string
	about string
	// flags are the model's own flags, each with what it does to the
	// model: given while -models leaves the model out, one is an error.
	flags []modelFlag
	build func(o options) bench.Model
	// sweep builds the model with n workers, for models that have a worker
	// count; nil for the others.
	sweep func(o options, n int) bench.Model
}

// modelFlag is a flag that one model reads, and what it does ("sets
// threaded's size").
type modelFlag struct{ name, what string }

// modelSpecs lists the models in the order the tables show them. Adding a
// model is one entry here.
func modelSpecs() []modelSpec {
	return []modelSpec{{
		name:  "sequential",
		about: "one goroutine, one task after another (the baseline)",
		build: func(o options) bench.Model {
			return sequential.Model{Timeout: o.timeout, BodyCap: o.bodyCap, RootCAs: o.roots}
		},
	}, {
		name:  "threaded",
		about: "a pool of -workers goroutines; Go's scheduler switches them",
		flags: []modelFlag{{"workers", "sets threaded's size"}},
		build: func(o options) bench.Model {
			return threaded.Pool{Workers: o.workers, Timeout: o.timeout, BodyCap: o.bodyCap, RootCAs: o.roots}
		},
		sweep: func(o options, n int) bench.Model {
			return threaded.Pool{Workers: n, Timeout: o.timeout, BodyCap: o.bodyCap, RootCAs: o.roots}
		},
	}, {
		name:  "eventloop",
		about: "one goroutine, an epoll/kqueue reactor; -conns requests in flight",
		flags: []modelFlag{{"conns", "sets eventloop's size"}},
		build: func(o options) bench.Model {
			return eventloop.Model{Timeout: o.timeout, BodyCap: o.bodyCap, MaxConns: maxConnsOf(o.conns), RootCAs: o.roots}
		},
	}, {
		name:  "multiproc",
		about: "a pool of -procs worker processes, this binary re-executed",
		flags: []modelFlag{{"procs", "sets multiproc's size"}, {"keep-pool", "keeps multiproc's pool"}},
		build: func(o options) bench.Model {
			return multiproc.Pool{Procs: o.procs, Timeout: o.timeout, BodyCap: o.bodyCap, RootCAsPEM: o.rootsPEM}
		},
		sweep: func(o options, n int) bench.Model {
			return multiproc.Pool{Procs: n, Timeout: o.timeout, BodyCap: o.bodyCap, RootCAsPEM: o.rootsPEM}
		},
	}}
}

// rebuild builds each of models again from its spec, with o's settings:
// the models that -tls gives the embedded server's certificate once it has
// started. The list keeps its length and order (models that this system
// cannot run were left out of it already).
func rebuild(models []bench.Model, o options) {
	for i, m := range models {
		for _, s := range o.models {
			if s.name == m.Name() {
				models[i] = s.build(o)
			}
		}
	}
}
