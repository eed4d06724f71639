package graph

import (
	"strings"
	"testing"
)

func TestParamsEncode(t *testing.T) {
	type timeRange struct {
		Until string `json:"until"`
		Since string `json:"since"`
	}
	tests := []struct {
		name   string
		method string
		params Params
		want   map[string]string
	}{
		{
			name:   "fields comma-joined on GET",
			method: "GET",
			params: Params{"fields": []string{"impressions", "spend", "campaign_name"}},
			want:   map[string]string{"fields": "impressions,spend,campaign_name"},
		},
		{
			name:   "fields JSON array on POST",
			method: "POST",
			params: Params{"fields": []string{"impressions", "spend"}},
			want:   map[string]string{"fields": `["impressions","spend"]`},
		},
		{
			name:   "other string lists JSON array even on GET",
			method: "GET",
			params: Params{"breakdowns": []string{"age", "gender"}},
			want:   map[string]string{"breakdowns": `["age","gender"]`},
		},
		{
			name:   "time_range map with sorted keys",
			method: "GET",
			params: Params{"time_range": map[string]string{"until": "2024-01-31", "since": "2024-01-01"}},
			want:   map[string]string{"time_range": `{"since":"2024-01-01","until":"2024-01-31"}`},
		},
		{
			name:   "struct keys sorted like sort_keys",
			method: "GET",
			params: Params{"time_range": timeRange{Until: "2024-01-31", Since: "2024-01-01"}},
			want:   map[string]string{"time_range": `{"since":"2024-01-01","until":"2024-01-31"}`},
		},
		{
			name:   "filtering list of maps with sorted keys",
			method: "GET",
			params: Params{"filtering": []map[string]any{
				{"value": []string{"1", "2"}, "operator": "IN", "field": "campaign.id"},
				{"value": 0, "operator": "GREATER_THAN", "field": "impressions"},
			}},
			want: map[string]string{"filtering": `[{"field":"campaign.id","operator":"IN","value":["1","2"]},` +
				`{"field":"impressions","operator":"GREATER_THAN","value":0}]`},
		},
		{
			name:   "bools as true and false",
			method: "GET",
			params: Params{"use_account_attribution_setting": true, "default_summary": false},
			want:   map[string]string{"use_account_attribution_setting": "true", "default_summary": "false"},
		},
		{
			name:   "numbers formatted plainly",
			method: "GET",
			params: Params{"limit": 500, "time_increment": int64(7), "ratio": 1.5, "big": 1e6},
			want:   map[string]string{"limit": "500", "time_increment": "7", "ratio": "1.5", "big": "1000000"},
		},
		{
			name:   "strings sent as is",
			method: "GET",
			params: Params{"level": "campaign", "breakdowns": "age,gender"},
			want:   map[string]string{"level": "campaign", "breakdowns": "age,gender"},
		},
		{
			name:   "nil omits the parameter",
			method: "GET",
			params: Params{"level": nil, "limit": 25},
			want:   map[string]string{"limit": "25"},
		},
		{
			name:   "no HTML escaping, non-ASCII escaped like Python",
			method: "GET",
			params: Params{"filtering": []map[string]string{{"field": "name", "operator": "CONTAIN", "value": "a<b&café😀"}}},
			want:   map[string]string{"filtering": `[{"field":"name","operator":"CONTAIN","value":"a<b&caf\u00e9\ud83d\ude00"}]`},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := tt.params.Encode(tt.method)
			if len(got) != len(tt.want) {
				t.Errorf("got %d keys %v, want %d", len(got), got, len(tt.want))
			}
			for k, want := range tt.want {
				if g := got.Get(k); g != want {
					t.Errorf("%s = %s, want %s", k, g, want)
				}
			}
		})
	}
}

func TestParamsEncodePanicsOnUnencodable(t *testing.T) {
	defer func() {
		r := recover()
		if r == nil || !strings.Contains(r.(error).Error(), `"bad"`) {
			t.Fatalf("recover() = %v, want a panic naming the parameter", r)
		}
	}()
	Params{"bad": make(chan int)}.Encode("GET")
}
