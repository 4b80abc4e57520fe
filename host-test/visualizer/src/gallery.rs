//! The gallery: every image generated or edited since the server started,
//! newest first, kept in memory up to a stated cap (the newest
//! [`MAX_IMAGES`] images and at most [`MAX_BYTES`] of them; the oldest go
//! first). It shares each image's bytes with the job that made it (a
//! reference count, not a copy), so holding a burst's images costs nothing
//! more than the jobs already hold.
//!
//! The page lists it (`GET /api/gallery`: small, one entry per image with
//! its URL and a prompt excerpt; `GET /api/gallery/{id}`: one entry with the
//! whole prompt) and loads each image by its URL (`/images/{key}.{ext}`, see
//! [`crate::api`]). It survives a page reload, not a server restart.

use std::collections::VecDeque;
use std::sync::Mutex;

use serde_json::{json, Value as J};

use crate::stored::Stored;

/// Most images kept.
pub const MAX_IMAGES: usize = 200;
/// Most bytes of images kept.
pub const MAX_BYTES: usize = 512 * 1024 * 1024;
/// How much of the prompt the list carries; the entry itself has it whole.
pub const PROMPT_EXCERPT_CHARS: usize = 240;

/// What made an image, for the viewer.
#[derive(Clone, Debug, Default)]
pub struct Origin {
    pub job: u64,
    pub kind: &'static str,
    pub prompt: String,
    pub revised_prompt: Option<String>,
    pub backend_label: String,
    pub model: Option<String>,
    /// The tier asked for, or the model's default (`"high (model default)"`).
    pub quality: Option<String>,
    pub format: Option<&'static str>,
    /// `"1536x1024"` when the size was given explicitly.
    pub size: Option<String>,
    pub output_format: Option<String>,
    pub created_ms: u64,
    pub elapsed_ms: u64,
    /// The call's estimated cost (`json::cost`), shared by the images it made.
    pub cost: Option<J>,
    /// How many images the call made.
    pub images_in_call: usize,
}

pub struct Item {
    pub id: u64,
    pub image: Stored,
    pub origin: Origin,
}

impl Item {
    fn file_name(&self) -> String {
        let o = &self.origin;
        format!("{}-{}-{}.{}", o.kind, o.job, self.image.image_index + 1, self.image.extension())
    }

    /// The list's entry: everything but the whole prompt.
    pub fn json(&self, whole: bool) -> J {
        let o = &self.origin;
        let chars = o.prompt.chars().count();
        let prompt = if whole || chars <= PROMPT_EXCERPT_CHARS {
            o.prompt.clone()
        } else {
            let mut excerpt: String = o.prompt.chars().take(PROMPT_EXCERPT_CHARS).collect();
            excerpt.push('…');
            excerpt
        };
        let share = o.cost.as_ref().and_then(|c| {
            let usd = c["usd"].as_f64()?;
            let n = o.images_in_call.max(1) as f64;
            Some(json!({ "usd": usd / n, "complete": c["complete"] }))
        });
        let mut v = json!({
            "id": self.id,
            "url": self.image.url(),
            "mime_type": self.image.mime,
            "width": self.image.width,
            "height": self.image.height,
            "bytes": self.image.bytes.len(),
            "file_name": self.file_name(),
            "job": o.job,
            "kind": o.kind,
            "prompt": prompt,
            "prompt_chars": chars,
            "backend_label": o.backend_label,
            "model": o.model,
            "quality": o.quality,
            "format": o.format,
            "size": o.size,
            "output_format": o.output_format,
            "created_ms": o.created_ms,
            "elapsed_ms": o.elapsed_ms,
            "cost": share,
            "call_cost": o.cost.as_ref().map(|c| json!({ "usd": c["usd"], "complete": c["complete"] })),
            "images_in_call": o.images_in_call,
        });
        if whole {
            v["revised_prompt"] = json!(o.revised_prompt);
            v["cost_items"] = o.cost.as_ref().map(|c| c["items"].clone()).unwrap_or(J::Null);
        }
        v
    }
}

#[derive(Default)]
struct Inner {
    /// Newest first.
    items: VecDeque<Item>,
    bytes: usize,
    next: u64,
}

#[derive(Default)]
pub struct Gallery {
    inner: Mutex<Inner>,
}

impl Gallery {
    /// Keeps `images` (newest last in the list, so the first image of a call
    /// stays before its second); returns their entries.
    pub fn add(&self, images: &[Stored], origin: Origin) -> Vec<J> {
        let mut inner = self.inner.lock().unwrap();
        let mut added = Vec::new();
        for image in images.iter().rev() {
            inner.next += 1;
            let item = Item { id: inner.next, image: image.clone(), origin: origin.clone() };
            inner.bytes += item.image.bytes.len();
            added.push(item.json(false));
            inner.items.push_front(item);
        }
        added.reverse();
        while inner.items.len() > MAX_IMAGES || (inner.bytes > MAX_BYTES && inner.items.len() > 1) {
            let Some(old) = inner.items.pop_back() else { break };
            inner.bytes -= old.image.bytes.len();
        }
        added
    }

    /// `{cap, count, bytes, items}`, newest first.
    pub fn json(&self) -> J {
        let inner = self.inner.lock().unwrap();
        let items: Vec<J> = inner.items.iter().map(|i| i.json(false)).collect();
        json!({ "cap": cap(), "count": inner.items.len(), "bytes": inner.bytes, "items": items })
    }

    /// The counts alone, for the page's state.
    pub fn summary(&self) -> J {
        let inner = self.inner.lock().unwrap();
        json!({ "cap": cap(), "count": inner.items.len(), "bytes": inner.bytes })
    }

    pub fn item(&self, id: u64) -> Option<J> {
        self.inner.lock().unwrap().items.iter().find(|i| i.id == id).map(|i| i.json(true))
    }

    /// The image whose URL carries `key`, and its file name.
    pub fn find(&self, key: &str) -> Option<(Stored, String)> {
        let inner = self.inner.lock().unwrap();
        inner.items.iter().find(|i| i.image.key == key).map(|i| (i.image.clone(), i.file_name()))
    }

    /// Forgets one image; false when there is none.
    pub fn remove(&self, id: u64) -> bool {
        let mut inner = self.inner.lock().unwrap();
        let Some(at) = inner.items.iter().position(|i| i.id == id) else { return false };
        let gone = inner.items.remove(at).expect("it is there");
        inner.bytes -= gone.image.bytes.len();
        true
    }

    /// Forgets every image; returns how many there were.
    pub fn clear(&self) -> usize {
        let mut inner = self.inner.lock().unwrap();
        let n = inner.items.len();
        inner.items.clear();
        inner.bytes = 0;
        n
    }
}

/// The cap, as the page states it.
pub fn cap() -> J {
    json!({ "images": MAX_IMAGES, "bytes": MAX_BYTES })
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::body::Bytes;

    fn image(len: usize) -> Stored {
        Stored::from_parts(Bytes::from(vec![0u8; len]), "image/png", 1, 1, 0, None)
    }

    #[test]
    fn the_newest_come_first_and_the_oldest_go_first() {
        let g = Gallery::default();
        for n in 0..MAX_IMAGES + 5 {
            g.add(&[image(10)], Origin { job: n as u64, kind: "generate", ..Origin::default() });
        }
        let list = g.json();
        assert_eq!(list["count"], MAX_IMAGES);
        assert_eq!(list["items"][0]["job"], (MAX_IMAGES + 4) as u64);
        assert_eq!(list["items"][MAX_IMAGES - 1]["job"], 5);
        assert_eq!(list["bytes"], MAX_IMAGES * 10);
    }

    #[test]
    fn bytes_are_capped_too_and_a_call_keeps_its_order() {
        let g = Gallery::default();
        let big = MAX_BYTES / 3 + 1;
        g.add(&[image(big), image(big)], Origin { job: 1, images_in_call: 2, ..Origin::default() });
        let added = g.add(&[image(big), image(5)], Origin { job: 2, images_in_call: 2, ..Origin::default() });
        assert_eq!(added.len(), 2);
        let list = g.json();
        // 4 images would pass the byte cap: the oldest went.
        assert_eq!(list["count"], 3, "{list}");
        assert_eq!(list["items"][0]["job"], 2);
        assert!(list["bytes"].as_u64().unwrap() as usize <= MAX_BYTES);
        let first = list["items"][0]["id"].as_u64().unwrap();
        assert!(g.remove(first));
        assert!(!g.remove(first));
        assert_eq!(g.clear(), 2);
        assert_eq!(g.json()["bytes"], 0);
    }

    #[test]
    fn the_list_carries_an_excerpt_and_the_entry_the_whole_prompt() {
        let g = Gallery::default();
        let prompt = "a".repeat(PROMPT_EXCERPT_CHARS * 4);
        let cost = json!({ "usd": 0.04, "complete": true, "items": [] });
        g.add(
            &[image(3), image(3)],
            Origin { prompt: prompt.clone(), cost: Some(cost), images_in_call: 2, ..Origin::default() },
        );
        let listed = &g.json()["items"][0];
        assert_eq!(listed["prompt"].as_str().unwrap().chars().count(), PROMPT_EXCERPT_CHARS + 1);
        assert_eq!(listed["prompt_chars"], PROMPT_EXCERPT_CHARS * 4);
        assert_eq!(listed["cost"]["usd"], 0.02);
        let whole = g.item(listed["id"].as_u64().unwrap()).unwrap();
        assert_eq!(whole["prompt"], prompt);
    }
}
