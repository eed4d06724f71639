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
	inner = append(inner, kv{"fbtrace_id", traceID})
	return obj{{"error", inner}}
}
