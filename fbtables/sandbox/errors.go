package sandbox

import (
	"fmt"
	"net/http"
)

// apiError is a Graph API error as it goes on the wire. Handlers return it and
// ServeHTTP writes it, so every failure path produces the same body shape.
type apiError struct {
	Status  int // HTTP status; 400 for almost everything, like the real API
	Code    int
	Subcode int // 0 = omitted from the body
	Type    string
	Message string

	// Optional keys, written only when set, so the classic errors keep their
	// exact four- or five-key bodies.
	Transient bool   // is_transient: the API's hint that the same request may succeed later
	UserTitle string // error_user_title
	UserMsg   string // error_user_msg
}

func (e *apiError) Error() string { return e.Message }

// errParam is the generic invalid-parameter error (code 100, OAuthException);
// the "(#100)" prefix mirrors the real API's messages.
func errParam(format string, args ...any) *apiError {
	return &apiError{Status: http.StatusBadRequest, Code: 100, Type: "OAuthException",
		Message: "(#100) " + fmt.Sprintf(format, args...)}
}

// errUnsupported is what the API answers for an object that does not exist
// or is not visible to the token, and also for an unknown edge.
func errUnsupported(method, id string) *apiError {
	verb := "get"
	if method == http.MethodPost {
		verb = "post"
	}
	return &apiError{Status: http.StatusBadRequest, Code: 100, Subcode: 33, Type: "GraphMethodException",
		Message: fmt.Sprintf("Unsupported %s request. Object with ID '%s' does not exist, cannot be loaded due to missing permissions, or does not support this operation. Please read the Graph API documentation at https://developers.facebook.com/docs/graph-api", verb, id)}
}

func errNoTokenMe() *apiError {
	return &apiError{Status: http.StatusBadRequest, Code: 2500, Type: "OAuthException",
		Message: "An active access token must be used to query information about the current user."}
}

func errNoToken() *apiError {
	return &apiError{Status: http.StatusBadRequest, Code: 104, Type: "OAuthException",
		Message: "An access token is required to request this resource."}
}

func errBadToken() *apiError {
	return &apiError{Status: http.StatusBadRequest, Code: 190, Type: "OAuthException",
		Message: "Invalid OAuth access token - Cannot parse access token"}
}

func errVersion(v string) *apiError {
	return &apiError{Status: http.StatusBadRequest, Code: 2635, Type: "OAuthException",
		Message: fmt.Sprintf("(#2635) You are calling a deprecated version of the Ads API (%s). Please update to the latest version.", v)}
}

func errCursor() *apiError {
	return &apiError{Status: http.StatusBadRequest, Code: 2642, Type: "OAuthException",
		Message: "(#2642) Invalid cursors values"}
}

func errTooOld() *apiError {
	return &apiError{Status: http.StatusBadRequest, Code: 3018, Type: "OAuthException",
		Message: "(#3018) The start date of the time range cannot be beyond 37 months from the current date"}
}

func errInternal(err error) *apiError {
	return &apiError{Status: http.StatusInternalServerError, Code: 1, Type: "OAuthException",
		Message: "An unknown error occurred: " + err.Error()}
}

// errorBody renders the {"error":{...}} envelope. Keys are in the order the
// API writes them; error_subcode appears only when there is one.
func errorBody(e *apiError, traceID string) obj {
	inner := obj{{"message", e.Message}, {"type", e.Type}, {"code", e.Code}}
	if e.Subcode != 0 {
		inner = append(inner, kv{"error_subcode", e.Subcode})
	}
	if e.Transient {
		inner = append(inner, kv{"is_transient", true})
	}
	if e.UserTitle != "" {
		inner = append(inner, kv{"error_user_title", e.UserTitle}, kv{"error_user_msg", e.UserMsg})
	}
	inner = append(inner, kv{"fbtrace_id", traceID})
	return obj{{"error", inner}}
}

// errThrottled is the ads-insights business-use-case throttle, with the body
// reference §5.3 quotes from a real capture (HTTP 400, no is_transient).
func errThrottled() *apiError {
	return &apiError{Status: http.StatusBadRequest, Code: 80000, Subcode: 2446079, Type: "OAuthException",
		Message: "(#80000) There have been too many calls from this ad-account. Wait a bit and try again. For more info, please refer to https://developers.facebook.com/docs/graph-api/overview/rate-limiting."}
}

// errTooManyJobs is the Ads Insights platform throttle (4/1504022, "Too many
// API requests", §5.4) the sandbox answers when an account already runs
// Model.MaxJobsPerAccount report runs.
func errTooManyJobs() *apiError {
	return &apiError{Status: http.StatusBadRequest, Code: 4, Subcode: 1504022, Type: "OAuthException",
		Message:   "(#4) There have been too many calls from this app. Wait a bit and try again.",
		Transient: true, UserTitle: "Too many API requests",
		UserMsg: "There are too many report runs in progress for this ad account. Wait for some of them to finish, then try again."}
}

// errTooMuchData is the data-per-call limit (100/1487534, §5.1) with the
// wording of the classic "reduce the amount of data" error (§5.2).
func errTooMuchData() *apiError {
	return &apiError{Status: http.StatusBadRequest, Code: 100, Subcode: 1487534, Type: "OAuthException",
		Message: "(#100) Please reduce the amount of data you're asking for, then retry your request"}
}

// errReportNotReady is what the API answers for the rows of a report run
// that is still running, failed or was skipped: code 2601, subcode 1815107,
// transient (captured in facebook-php-business-sdk#288 and
// facebook-python-business-sdk#293).
func errReportNotReady() *apiError {
	return &apiError{Status: http.StatusBadRequest, Code: 2601, Subcode: 1815107, Type: "OAuthException",
		Message: "Error accessing adreport job.", Transient: true, UserTitle: "Loading Async Ads Report Failed",
		UserMsg: "Sorry, the report cannot be loaded successfully. Please check if your job status is completed instead of failed or running before fetching the data."}
}

// errIntermittent is the Insights "Intermittent Error" (2/1504043, §5.4)
// that the API sometimes sends with HTTP 200.
func errIntermittent() *apiError {
	return &apiError{Status: http.StatusOK, Code: 2, Subcode: 1504043, Type: "OAuthException",
		Message: "An unexpected error has occurred. Please retry your request later.", Transient: true}
}

// errServerDown is the 500 body of the API's "unknown error" (code 1, §5.4).
func errServerDown() *apiError {
	return &apiError{Status: http.StatusInternalServerError, Code: 1, Subcode: 99, Type: "OAuthException",
		Message: "An unknown error has occurred.", Transient: true}
}

// errUnavailable is the 503 body of a temporary outage (code 2).
func errUnavailable() *apiError {
	return &apiError{Status: http.StatusServiceUnavailable, Code: 2, Type: "OAuthException",
		Message: "(#2) Service temporarily unavailable", Transient: true}
}

// errBatchSize is the answer to a batch of more than 50 operations (§6.2).
func errBatchSize() *apiError {
	return errParam("Too many requests in batch message. Maximum batch size is 50")
}
