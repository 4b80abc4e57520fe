//! What an image is, read from its bytes, raster or SVG: no panic whatever
//! the input, a size is never zero, and what the raster reader recognises
//! the SVG reader never claims (an answer is one type, not two).

#![no_main]

use libfuzzer_sys::fuzz_target;
use openai_visual_backend::imaging::{sniff, sniff_any, ImageKind};

fuzz_target!(|data: &[u8]| {
    let raster = sniff(data);
    let any = sniff_any(data);
    if let Some(meta) = any {
        assert!(meta.width > 0 && meta.height > 0, "{meta:?}");
    }
    match raster {
        Some(meta) => assert_eq!(any, Some(meta)),
        None => assert!(any.is_none_or(|m| m.kind == ImageKind::Svg), "{any:?}"),
    }
});
