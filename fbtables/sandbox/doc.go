// Package sandbox is a fake, Graph-API-compatible HTTP server that serves
// deterministic synthetic ad accounts.
//
// It is fbsql's demo (fbsql --demo runs it in-process), the test double the
// Graph API client and the end-to-end tests run against, and the benchmark
// target. It sits at the far end of the data flow: the fbtables client sends
// it the same HTTP requests it would send to graph.facebook.com and gets back
// the real wire format — numbers as strings, "act_" ids, cursor paging with
// absolute next URLs, real error bodies and throttle headers.
//
// The synthetic world is a pure function of Config.Seed. Entities (2 ad
// accounts, their campaigns, ad sets and ads) are generated once in New.
// Metrics are never stored: the additive metrics of one ad on one calendar day
// are a hash of (seed, ad id, date), and every coarser row — a campaign, a
// month, a country — is an exact integer sum of those ad-days, so totals agree
// at every grain and with Server.Truth. Breakdowns split an ad-day into cells
// of a joint distribution (age×gender, country×region, platform×position×device)
// by largest-remainder apportionment, so each breakdown is a marginal of the
// same cells and sums back exactly. Reach and other unique counts are
// sub-additive: an aggregated row reports less than the sum of its parts.
//
// Each account also has a library (creatives, images, videos, custom
// conversions, custom audiences and an activity log) on the matching
// act_{id} edges, built from its own hash stream after the entity tree.
// Action lists split by action breakdowns (action_device, action_target_id,
// action_reaction, ...) and carry nested attribution-window keys.
//
// Insights are served both ways the API serves them: sync GETs, and async
// report runs (POST /{node}/insights, poll GET /{report_run_id}, page GET
// /{report_run_id}/insights), whose rows and cursors equal the sync answer's.
// Batch requests (POST / with batch=[...]) run up to 50 operations at once.
//
// By default the server is instant and unlimited, which is what unit tests
// want. Config.Model switches on the realistic mode (latency, job durations,
// data-per-call limits, per-account call budgets with the API's throttle
// headers and errors; RealisticModel has documented defaults) and
// Config.Faults injects reproducible failures (5xx, dropped connections,
// truncated or HTML bodies, transient errors, failed jobs...). Job progress
// and throttle windows read Config.Now, so tests move the clock instead of
// sleeping; Server.Stats reports how a client behaved.
package sandbox
