// Package render writes an engine.Result for people and programs: boxed
// tables (capped on a terminal), csv, json, jsonl, markdown, line mode and
// bar charts, and EXPLAIN plans as text or JSON. It decides how values look
// (exact decimals, ISO dates, NULL) and nothing about how they are fetched.
package render
