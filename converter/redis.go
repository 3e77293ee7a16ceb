package converter

import (
	"cmp"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/redis/go-redis/v9/maintnotifications"

	"conclab/iobound"
)

// Errors of the Redis cache, testable with errors.Is.
var (
	// ErrCacheURL is returned by NewRedis for a URL it cannot use.
	ErrCacheURL = errors.New("bad cache URL")
	// ErrSharedCache is wrapped by every conversion that failed because
	// of the shared cache (unreachable, too slow, or holding garbage),
	// rather than because of the amount.
	ErrSharedCache = errors.New("shared cache failed")
)

// Defaults for RedisOptions.
const (
	DefaultRedisNamespace = "conclab"
	DefaultRedisTimeout   = 5 * time.Second
	DefaultRedisExpiry    = time.Hour
)

// RedisOptions tune a Redis cache. Options.Capacity and Options.Shards do
// not apply: Redis holds what it is given, sharded or not as it is run.
type RedisOptions struct {
	Options
	// Namespace starts every key, so that runs and programs sharing one
	// server do not share results; processes that must share a cache give
	// the same one. The rules are part of every key too (a hash of them),
	// so two sets of rules can never read each other's results.
	Namespace string
	// Timeout bounds each Convert, from the first command to the answer,
	// a wait for another caller's computation included: a Redis that is
	// down or hangs fails the call when it ends, never later.
	Timeout time.Duration
	// LockExpiry is how long a computation holds its amount's lock before
	// Redis lets another caller take it: Timeout, since a holder still
	// computing after that has failed its own call anyway.
	LockExpiry time.Duration
	// Expiry is how long a result stays in Redis, so that runs leave
	// nothing behind on a server they share with others.
	Expiry time.Duration
}

// Redis keeps results in a Redis server, shared by every goroutine, every
// process and every machine that uses the same server, namespace and
// rules. It computes each amount once among all of them: a caller that
// misses takes the amount's lock key (SET NX with an expiry), computes,
// stores the result and releases the lock; callers that miss while the
// lock is held poll for the result, with backoff, until their deadline.
// Looking up and taking the lock is one Lua script, so that a lock is
// never taken for a result stored a moment before; storing and releasing
// is another (see the package documentation for what the lock does not
// guarantee).
//
// Any failure of Redis fails the call with an error wrapping
// ErrSharedCache; it never computes around the cache, since an outage
// hidden that way would read as a bad hit ratio. Close releases the
// client's connections.
type Redis struct {
	*base
	client                      *redis.Client
	url, prefix                 string // url has any password masked
	timeout, lockExpiry, expiry time.Duration
}

// lookup returns the stored result, or takes the lock and returns 1, or
// returns 0 when another caller holds it. KEYS: result, lock. ARGV: token,
// lock expiry in ms.
var lookup = redis.NewScript(`
local v = redis.call('GET', KEYS[1])
if v then return v end
if redis.call('SET', KEYS[2], ARGV[1], 'NX', 'PX', ARGV[2]) then return 1 end
return 0`)

// store sets the result unless one is there already (returns 1 if it set
// it), and deletes the lock if the caller still holds it: a holder that
// stalled past the expiry must not delete the lock of the caller that took
// over. KEYS: result, lock. ARGV: result, token, expiry in ms.
var store = redis.NewScript(`
local stored = redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[3])
if redis.call('GET', KEYS[2]) == ARGV[2] then redis.call('DEL', KEYS[2]) end
if stored then return 1 end
return 0`)

// unlock deletes the lock if the caller still holds it. KEYS: lock.
// ARGV: token.
var unlock = redis.NewScript(`
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`)

// NewRedis connects to the Redis at rawURL (redis://host:port/db, see
// redis.ParseURL) and checks that it answers, within opts.Timeout.
func NewRedis(ctx context.Context, rawURL string, rules Rules, opts RedisOptions) (*Redis, error) {
	if err := rules.Validate(); err != nil {
		return nil, err
	}
	if opts.Timeout < 0 || opts.LockExpiry < 0 || opts.Expiry < 0 {
		return nil, fmt.Errorf("converter: redis: negative timeout %s, lock expiry %s or expiry %s",
			opts.Timeout, opts.LockExpiry, opts.Expiry)
	}
	if err := checkService(opts.Options); err != nil {
		return nil, err
	}
	opts.Namespace = cmp.Or(opts.Namespace, DefaultRedisNamespace)
	opts.Timeout = cmp.Or(opts.Timeout, DefaultRedisTimeout)
	opts.LockExpiry = cmp.Or(opts.LockExpiry, opts.Timeout)
	opts.Expiry = cmp.Or(opts.Expiry, DefaultRedisExpiry)
	ropts, err := parseCacheURL(rawURL)
	if err != nil {
		return nil, err
	}
	shown := iobound.Redact(rawURL)
	// The client must give up with the call: its context's deadline bounds
	// every command, and no dial, read or write outlasts the call's
	// timeout, even one the URL asked to be unbounded (-1) or left alone.
	bound := func(d time.Duration) time.Duration {
		if d <= 0 || d > opts.Timeout {
			return opts.Timeout
		}
		return d
	}
	ropts.ContextTimeoutEnabled = true
	ropts.DialTimeout = bound(ropts.DialTimeout)
	ropts.ReadTimeout = bound(ropts.ReadTimeout)
	ropts.WriteTimeout = bound(ropts.WriteTimeout)
	ropts.DialerRetries = cmp.Or(ropts.DialerRetries, 1) // commands retry already (MaxRetries)
	ropts.MaintNotificationsConfig = &maintnotifications.Config{Mode: maintnotifications.ModeDisabled}
	rulesJSON, _ := json.Marshal(rules) // plain integers: cannot fail
	sum := sha256.Sum256(rulesJSON)
	rules.Tiers = append([]Tier(nil), rules.Tiers...)
	c := &Redis{
		base:    newBase("redis", rules, opts.Options),
		client:  redis.NewClient(ropts),
		url:     shown,
		prefix:  opts.Namespace + ":" + hex.EncodeToString(sum[:8]) + ":",
		timeout: opts.Timeout, lockExpiry: opts.LockExpiry, expiry: opts.Expiry,
	}
	pctx, cancel := context.WithTimeout(ctx, opts.Timeout)
	defer cancel()
	if err := c.client.Ping(pctx).Err(); err != nil {
		_ = c.client.Close()
		return nil, fmt.Errorf("converter: %w: %s does not answer: %w", ErrSharedCache, shown, err)
	}
	return c, nil
}

// CheckCacheURL reports whether NewRedis can use rawURL, without
// connecting: for checking a flag before any work starts.
func CheckCacheURL(rawURL string) error {
	_, err := parseCacheURL(rawURL)
	return err
}

func parseCacheURL(rawURL string) (*redis.Options, error) {
	ropts, err := redis.ParseURL(rawURL)
	if err != nil {
		// url.Parse quotes the URL it refuses, password and all.
		shown := iobound.Redact(rawURL)
		return nil, fmt.Errorf("converter: cache URL %s: %w: %s", shown, ErrCacheURL,
			strings.ReplaceAll(err.Error(), rawURL, shown))
	}
	return ropts, nil
}

func (c *Redis) Convert(ctx context.Context, points int64) (Result, error) {
	if err := c.rules.Check(points); err != nil {
		return Result{}, err
	}
	deadline := time.Now().Add(c.timeout)
	ctx, cancel := context.WithDeadline(ctx, deadline)
	defer cancel()
	key := c.keyOf(points)
	keys := []string{key, key + ":lock"}
	token := rand.Text() // tells this call's lock from a later holder's
	// A few hundred microseconds is a round trip to a nearby Redis; the
	// pause doubles up to a few dozen round trips, so that many waiters
	// do not flood the server while one computes.
	for try, pause := 0, 250*time.Microsecond; ; try, pause = try+1, min(2*pause, 25*time.Millisecond) {
		v, err := lookup.Run(ctx, c.client, keys, token, c.lockExpiry.Milliseconds()).Result()
		if err != nil {
			return Result{}, c.fail(points, "look up", err)
		}
		if s, ok := v.(string); ok {
			if try == 0 {
				c.hits.Add(1)
			}
			return c.decode(points, s)
		}
		if try == 0 {
			c.misses.Add(1)
		}
		if v == int64(1) {
			return c.computeAndStore(ctx, deadline, points, keys, token)
		}
		t := time.NewTimer(pause)
		select {
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
			return Result{}, c.fail(points, "wait for another caller's computation", context.Cause(ctx))
		}
	}
}

// keyOf names the result of points; its lock is the same name with
// ":lock" added.
func (c *Redis) keyOf(points int64) string { return c.prefix + strconv.FormatInt(points, 10) }

// computeAndStore computes points while holding its lock, then stores the
// result and releases the lock in one step.
func (c *Redis) computeAndStore(ctx context.Context, deadline time.Time, points int64, keys []string, token string) (Result, error) {
	r, err := c.compute(ctx, points)
	if err != nil {
		// Release the lock so that a waiter computes now rather than at
		// the expiry, even when the caller gave up (that is when a waiter
		// most needs it), but no later than the call's own deadline.
		uctx, cancel := context.WithDeadline(context.WithoutCancel(ctx), deadline)
		defer cancel()
		_ = unlock.Run(uctx, c.client, keys[1:], token).Err() // else the expiry frees it
		return Result{}, err
	}
	stored, err := store.Run(ctx, c.client, keys, r.Converted, token, c.expiry.Milliseconds()).Int()
	if err != nil {
		return Result{}, c.fail(points, "store", err)
	}
	if stored == 0 {
		c.duplicates.Add(1) // our lock expired and another caller computed too
	} else {
		c.entries.Add(1)
	}
	return r, nil
}

// decode rebuilds a result from the stored number of B points; the rules
// are part of the key, so the tier is the one they give.
func (c *Redis) decode(points int64, s string) (Result, error) {
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < 0 {
		return Result{}, c.fail(points, "read", fmt.Errorf("stored value %q is not a number of points", s))
	}
	i := c.rules.tier(points)
	return Result{Points: points, Converted: n, Tier: i, Rate: c.rules.Tiers[i].Rate}, nil
}

func (c *Redis) fail(points int64, step string, err error) error {
	return fmt.Errorf("converter: %s points: %w: %s: %s: %w", FormatPoints(points), ErrSharedCache, c.url, step, err)
}

// Stats counts this client's calls. Entries is the number of results this
// client stored; other clients' are theirs to count.
func (c *Redis) Stats() Stats { return c.stats(int(c.entries.Load()), Unbounded) }

// Close closes the client's connections. The results stay in Redis until
// their expiry.
func (c *Redis) Close() error {
	if err := c.client.Close(); err != nil {
		return fmt.Errorf("converter: redis %s: close: %w", c.url, err)
	}
	return nil
}
