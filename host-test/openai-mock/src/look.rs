//! What an image looks like ([`Look`]): its size, format, colour and
//! detail, everything that decides its encoded bytes, and how a colour is
//! derived from a request. The encoders ([`crate::render`],
//! [`crate::animated`], [`crate::vector`]) all draw from it, so it sits
//! below them, and [`ImageDetail`], the one knob a config turns, with it.

use sha2::{Digest, Sha256};

use super::types::{Animation, OutFormat};

/// How detailed the mock's images are. Tests want them cheap; a benchmark
/// wants the payload of a real generation, whose size is set by detail.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum ImageDetail {
    /// Smooth gradients: a 1536x1024 PNG is a few tens of KB.
    #[default]
    Flat,
    /// The gradient with a fine grain, so it compresses like a photograph:
    /// a 1536x1024 PNG is about 3 MB, as `gpt-image-1` sends.
    Photographic,
}

/// Everything that decides the encoded bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) struct Look {
    pub width: u32,
    pub height: u32,
    pub format: OutFormat,
    /// Frames and delay of a GIF (`None` for a still image).
    pub animation: Option<Animation>,
    pub rgb: [u8; 3],
    /// Transparent side bands (PNG/WebP only).
    pub transparent: bool,
    /// JPEG quality, 1-100 (ignored for the lossless formats).
    pub jpeg_quality: u8,
    pub detail: ImageDetail,
}

/// A colour from arbitrary seed bytes (a prompt, an index, input hashes).
pub(crate) fn colour(seed: &[&[u8]]) -> [u8; 3] {
    let mut h = Sha256::new();
    for part in seed {
        h.update((part.len() as u64).to_le_bytes());
        h.update(part);
    }
    let d = h.finalize();
    [d[0], d[1], d[2]]
}

/// `rgb` moved towards mid-grey by `t` (0 = unchanged, 1 = grey): how partial
/// images differ from the final one.
pub(crate) fn towards_grey(rgb: [u8; 3], t: f32) -> [u8; 3] {
    rgb.map(|c| (c as f32 + (128.0 - c as f32) * t).round() as u8)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn colours_depend_on_the_seed() {
        assert_ne!(colour(&[b"a cat"]), colour(&[b"a dog"]));
        assert_eq!(colour(&[b"a cat", b"0"]), colour(&[b"a cat", b"0"]));
        assert_ne!(colour(&[b"ab", b"c"]), colour(&[b"a", b"bc"]));
        assert_eq!(towards_grey([0, 255, 128], 1.0), [128, 128, 128]);
    }
}
