package sandbox

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// The account library: creatives, images, videos, custom conversions and
// custom audiences. It is built after the entity tree from its own hash
// stream, so adding it changed no entity or metric.

// Ids of the objects every account's ads point at.
const (
	pageID      = "104000000000001"
	pixelID     = "1234567890123456"
	igAccountID = "17841400000000001"
	siteURL     = "https://acme-outdoor.example"
)

// library holds one account's library objects, in the edges' order.
type library struct {
	creatives   []*creative
	images      []*adImage
	videos      []*adVideo
	conversions []*customConversion
	audiences   []*customAudience
	activities  []*activity
}

type creative struct {
	acct                     *account
	id, name, status, format string
	title, body, cta, link   string
	image                    *adImage
	video                    *adVideo
	created                  time.Time
	storyN                   uint64
}

type adImage struct {
	acct             *account
	hash, name       string
	width, height    int
	created, updated time.Time
}

type adVideo struct {
	acct                   *account
	id, title, description string
	length                 float64
	created, updated       time.Time
}

var (
	headlines = []string{"Gear up for the trail", "Built for every season", "Free shipping over $50",
		"Tested in the Alps", "New: ultralight tents", "Your next adventure starts here"}
	bodies = []string{"Lightweight, waterproof and made to last. Shop the collection today.",
		"Thousands of hikers swear by it. See why.", "Limited time: save 20% on bestsellers.",
		"From first camp to summit push — we've got you covered."}
	ctas       = []string{"SHOP_NOW", "LEARN_MORE", "SHOP_NOW", "SIGN_UP", "GET_OFFER"}
	imageSizes = [][2]int{{1080, 1080}, {1200, 628}, {1080, 1350}, {1080, 1920}}
)

// newLibrary builds account a's library; h seeds it, today anchors recent
// objects (activities span the months before it).
func newLibrary(a *account, h uint64, today time.Time) *library {
	lib := &library{}
	n := uint64(0)
	next := func() uint64 { n++; return hash2(h, n) }
	idOf := func(base uint64) string { return strconv.FormatUint(base+next()%1_000_000_000_000, 10) }
	newImage := func(label string, created time.Time) *adImage {
		sz := imageSizes[next()%uint64(len(imageSizes))]
		img := &adImage{acct: a, hash: fmt.Sprintf("%016x%016x", next(), next()),
			name:  fmt.Sprintf("%s_%dx%d.jpg", strings.ToLower(strings.NewReplacer(" ", "_", "/", "_", "%", "pct").Replace(label)), sz[0], sz[1]),
			width: sz[0], height: sz[1], created: created.Add(-time.Duration(next()%72) * time.Hour)}
		img.updated = img.created.Add(time.Duration(next()%600) * time.Second)
		lib.images = append(lib.images, img)
		return img
	}
	newVideo := func(label string, created time.Time) *adVideo {
		v := &adVideo{acct: a, id: idOf(1_180_000_000_000_000), title: label,
			description: "Acme Outdoor – " + label, length: 6 + float64(next()%5400)/100,
			created: created.Add(-time.Duration(next()%72) * time.Hour)}
		v.updated = v.created.Add(time.Duration(next()%3600) * time.Second)
		lib.videos = append(lib.videos, v)
		return v
	}
	addCreative := func(id, label, format, status string, created time.Time) {
		c := &creative{acct: a, id: id, name: label + " – Creative", status: status, format: format,
			title: headlines[next()%uint64(len(headlines))], body: bodies[next()%uint64(len(bodies))],
			cta: ctas[next()%uint64(len(ctas))], created: created, storyN: next() % 1_000_000_000_000}
		c.link = siteURL + "/collections/" + []string{"tents", "jackets", "boots", "bestsellers"}[next()%4]
		if format == "Video" || format == "Reel" {
			c.video = newVideo(label, created)
		} else {
			c.image = newImage(label, created)
		}
		lib.creatives = append(lib.creatives, c)
	}
	for _, d := range a.ads {
		format, _, _ := strings.Cut(d.name, " – ")
		status := "ACTIVE"
		if d.status == "DELETED" {
			status = "DELETED"
		}
		addCreative(d.creativeID, d.name, format, status, d.created)
	}
	for i, label := range []string{"Draft – Spring Hero", "Draft – UGC Cut", "Test – Static Offer"} {
		addCreative(idOf(120_215_000_000_000_000), label, adFormats[(i*2)%len(adFormats)], "ACTIVE", today.AddDate(0, -i-1, -int(next()%20)))
	}
	newImage("brand logo", today.AddDate(-1, 0, 0))
	newVideo("Brand film 2024 (unused cut)", today.AddDate(0, -8, 0))
	lib.conversions = newConversions(a, next, idOf, today)
	lib.audiences = newAudiences(a, next, idOf, today)
	lib.activities = newActivities(a, next, today)
	return lib
}

// buildLibraries attaches a library to every account of w.
func (w *world) buildLibraries(today time.Time) {
	for _, a := range w.accounts {
		a.lib = newLibrary(a, hash2(w.seed^0x6c6962, strHash(a.id)), today)
	}
}
