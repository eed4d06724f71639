package fbtables

// wholeUnitCurrencies have offset 1 in the Marketing API's currency table:
// their budgets and bids are sent in whole units, not hundredths
// (developers.facebook.com …/marketing-api/currencies). Every other
// currency has offset 100.
var wholeUnitCurrencies = map[string]bool{
	"CLP": true, "COP": true, "CRC": true, "HUF": true, "ISK": true, "IDR": true,
	"JPY": true, "KRW": true, "PYG": true, "TWD": true, "VND": true,
}

// CurrencyOffset is how many minor units make one unit of currency in the
// API's budget fields: 1 for JPY and the other whole-unit currencies, else 100.
func CurrencyOffset(currency string) int {
	if wholeUnitCurrencies[currency] {
		return 1
	}
	return 100
}
