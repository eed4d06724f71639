package sandbox

import (
	"encoding/base64"
	"fmt"
	"strings"
)

// Field renderers of the creatives, images and videos. Fields a node type
// has but the sandbox cannot fill sensibly render as nil and are omitted.

func (c *creative) isVideo() bool { return c.video != nil }

func (c *creative) thumbURL() string {
	return fmt.Sprintf("https://scontent.xx.fbcdn.net/v/t45.1600-4/%d_%s_n.jpg?stp=dst-jpg_p64x64&_nc_cat=1&ccb=1-7", c.storyN, c.id)
}

func (c *creative) field(f string) any {
	loc := c.acct.loc
	switch f {
	case "id":
		return c.id
	case "account_id":
		return c.acct.id
	case "name":
		return c.name
	case "status":
		return c.status
	case "object_type":
		if c.isVideo() {
			return "VIDEO"
		}
		return "SHARE"
	case "title":
		return c.title
	case "body":
		return c.body
	case "call_to_action_type":
		return c.cta
	case "thumbnail_url":
		return c.thumbURL()
	case "actor_id":
		return pageID
	case "call_to_action":
		return obj{{"type", c.cta}, {"value", obj{{"link", c.link}}}}
	case "image_hash":
		if c.image != nil {
			return c.image.hash
		}
	case "image_url":
		if c.image != nil {
			return c.image.url()
		}
	case "video_id":
		if c.video != nil {
			return c.video.id
		}
	case "link_url", "object_url":
		return c.link
	case "url_tags":
		return "utm_source=facebook&utm_medium=paid&utm_campaign={{campaign.name}}&utm_content={{ad.name}}"
	case "effective_object_story_id":
		return fmt.Sprintf("%s_%d", pageID, 122100000000000000+c.storyN)
	case "effective_instagram_media_id":
		return fmt.Sprintf("%d", 17900000000000000+c.storyN)
	case "instagram_permalink_url":
		return "https://www.instagram.com/p/" + base64.RawURLEncoding.EncodeToString([]byte(c.id))[:11] + "/"
	case "instagram_user_id":
		return igAccountID
	case "authorization_category", "effective_authorization_category":
		return "NONE"
	case "use_page_actor_override", "enable_direct_install", "enable_launch_instant_app":
		return false
	case "link_destination_display_url":
		return strings.TrimPrefix(siteURL, "https://")
	case "object_story_spec":
		return c.storySpec()
	case "degrees_of_freedom_spec":
		return obj{{"creative_features_spec", obj{{"standard_enhancements", obj{{"enroll_status", "OPT_OUT"}}}}}}
	case "contextual_multi_ads":
		return obj{{"enroll_status", "OPT_OUT"}}
	case "image_crops":
		if c.image != nil {
			return obj{{"191x100", [][2]int{{0, 0}, {c.image.width, c.image.width * 100 / 191}}}}
		}
	case "thumbnail_id":
		return fmt.Sprintf("%d", 1020000000000000+c.storyN)
	case "created_time":
		return graphTime(c.created, loc)
	}
	return nil
}

// storySpec is the spec of the post the creative creates: link_data for
// image ads, video_data for video ads.
func (c *creative) storySpec() obj {
	cta := obj{{"type", c.cta}, {"value", obj{{"link", c.link}}}}
	if c.video != nil {
		return obj{{"page_id", pageID}, {"instagram_user_id", igAccountID}, {"video_data", obj{
			{"video_id", c.video.id}, {"title", c.title}, {"message", c.body},
			{"image_url", c.video.picture()}, {"call_to_action", cta}}}}
	}
	return obj{{"page_id", pageID}, {"instagram_user_id", igAccountID}, {"link_data", obj{
		{"link", c.link}, {"message", c.body}, {"name", c.title},
		{"image_hash", c.image.hash}, {"call_to_action", cta}}}}
}

func (img *adImage) url() string {
	return fmt.Sprintf("https://scontent.xx.fbcdn.net/v/t45.1600-4/%s_n.jpg?_nc_cat=1&ccb=1-7&oh=00_sandbox", img.hash[:20])
}

func (img *adImage) field(f string) any {
	loc := img.acct.loc
	switch f {
	case "id":
		return img.acct.id + ":" + img.hash
	case "account_id":
		return img.acct.id
	case "hash":
		return img.hash
	case "name":
		return img.name
	case "url":
		return img.url()
	case "url_128":
		return strings.Replace(img.url(), "?", "?stp=dst-jpg_s128x128&", 1)
	case "permalink_url":
		return "https://www.facebook.com/ads/image/?d=" + base64.RawURLEncoding.EncodeToString([]byte(img.acct.id+":"+img.hash))
	case "width", "original_width":
		return img.width
	case "height", "original_height":
		return img.height
	case "status":
		return "ACTIVE"
	case "created_time":
		return graphTime(img.created, loc)
	case "updated_time":
		return graphTime(img.updated, loc)
	case "is_associated_creatives_in_adgroups":
		return true
	}
	return nil
}

func (v *adVideo) picture() string {
	return fmt.Sprintf("https://scontent.xx.fbcdn.net/v/t15.5256-10/%s_n.jpg?_nc_cat=1&ccb=1-7", v.id)
}

func (v *adVideo) field(f string) any {
	loc := v.acct.loc
	switch f {
	case "id":
		return v.id
	case "title":
		return v.title
	case "description":
		return v.description
	case "length":
		return v.length
	case "created_time":
		return graphTime(v.created, loc)
	case "updated_time":
		return graphTime(v.updated, loc)
	case "source":
		return fmt.Sprintf("https://video.xx.fbcdn.net/v/t42.1790-2/%s_n.mp4?_nc_cat=1&ccb=1-7", v.id)
	case "picture":
		return v.picture()
	case "permalink_url":
		return "/" + pageID + "/videos/" + v.id + "/"
	case "status":
		return obj{{"video_status", "ready"}, {"uploading_phase", obj{{"status", "complete"}}},
			{"processing_phase", obj{{"status", "complete"}}}, {"publishing_phase", obj{{"status", "complete"}}}}
	case "published":
		return false
	case "is_instagram_eligible":
		return true
	}
	return nil
}
