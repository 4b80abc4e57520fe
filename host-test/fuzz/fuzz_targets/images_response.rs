//! `ImagesResponse` bodies as a service, a gateway or a broken connection
//! might send them: parsing never panics, a success is real images, and a
//! failure is a typed error with a one-line, bounded message.

#![no_main]

use libfuzzer_sys::fuzz_target;
use openai_visual_backend::{images_response, imaging};

fuzz_target!(|body: &[u8]| {
    match images_response::parse(body.to_vec(), "gpt-image-1") {
        Ok(generation) => {
            assert!(!generation.images.is_empty(), "a generation without images");
            assert_eq!(generation.model, "gpt-image-1");
            for image in &generation.images {
                // What the header says is what was reported.
                let meta = imaging::sniff(&image.data).expect("every image is a recognised format");
                assert_eq!((image.width, image.height), (meta.width, meta.height));
                assert!(image.width > 0 && image.height > 0);
                assert_eq!(image.mime_type, meta.kind.mime_type());
            }
        }
        Err(e) => {
            let message = e.message();
            assert!(!message.trim().is_empty(), "{e:?}");
            assert!(!message.contains('\n') && !message.contains('\r'), "multi-line message: {message:?}");
            assert!(message.chars().count() <= 1500, "unbounded message: {} chars", message.chars().count());
        }
    }
});
