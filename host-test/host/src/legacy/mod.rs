//! Components built for older contracts, presented in the newest shape, so
//! every host above the runtime sees one contract (as Zed's extension host
//! does between its WIT versions: conversions live on the host, never in a
//! guest).
//!
//! Each version adds one step, which converts between it and the version
//! after it: [`v0_1`] between 0.1 and 0.2, [`v0_2`] between 0.2 and 0.3. A
//! 0.1 component's calls go through both, in turn. What a newer request asks
//! that an older contract cannot express is refused at the step that cannot
//! express it, before any call.

/// Maps an enum's cases, which keep their names from one version to the next.
macro_rules! same_cases {
    ($value:expr, $from:ident :: $ty:ident => $to:ident { $($case:ident),+ $(,)? }) => {
        match $value {
            $($from::$ty::$case => $to::$ty::$case),+
        }
    };
}

/// What kept its shape between version `$old` and the next, `$new`, written
/// once for every step: the small enums and the size both ways, and, going
/// up, an image, a failure, the error that carries it, a status, and a
/// stream event (given the step's own `generation`).
macro_rules! kept_shape {
    ($old:ident => $new:ident) => {
        pub fn capability_down(c: $new::Capability) -> $old::Capability {
            same_cases!(c, $new::Capability => $old { TextToImage, ImageEdit, ImageAnalysis })
        }

        fn capability(c: $old::Capability) -> $new::Capability {
            same_cases!(c, $old::Capability => $new { TextToImage, ImageEdit, ImageAnalysis })
        }

        fn format_down(f: $new::ImageFormat) -> $old::ImageFormat {
            same_cases!(f, $new::ImageFormat => $old { Landscape, Portrait, Square })
        }

        fn format(f: $old::ImageFormat) -> $new::ImageFormat {
            same_cases!(f, $old::ImageFormat => $new { Landscape, Portrait, Square })
        }

        fn size_down(s: $new::Size) -> $old::Size {
            $old::Size { width: s.width, height: s.height }
        }

        fn size(s: $old::Size) -> $new::Size {
            $new::Size { width: s.width, height: s.height }
        }

        /// The size each format maps to.
        fn format_sizes(list: Vec<$old::FormatSize>) -> Vec<$new::FormatSize> {
            list.into_iter().map(|fs| $new::FormatSize { format: format(fs.format), size: size(fs.size) }).collect()
        }

        fn image(i: $old::Image) -> $new::Image {
            $new::Image { data: i.data, mime_type: i.mime_type, width: i.width, height: i.height }
        }

        pub fn event(e: $old::GenerationEvent) -> $new::GenerationEvent {
            match e {
                $old::GenerationEvent::Partial(p) => $new::GenerationEvent::Partial($new::PartialImage {
                    image_index: p.image_index,
                    partial_index: p.partial_index,
                    image: image(p.image),
                }),
                $old::GenerationEvent::Completed(g) => $new::GenerationEvent::Completed(generation(g)),
            }
        }

        pub fn status(s: $old::Status) -> $new::Status {
            $new::Status {
                level: same_cases!(s.level, $old::StatusLevel => $new { Ok, Warning, Error }),
                message: s.message,
                model: s.model,
                problem: s.problem.map(error),
            }
        }

        fn failure(f: $old::Failure) -> $new::Failure {
            $new::Failure { message: f.message, status: f.status, code: f.code, request_id: f.request_id }
        }

        pub fn error(e: $old::Error) -> $new::Error {
            match e {
                $old::Error::InvalidInput(m) => $new::Error::InvalidInput(m),
                $old::Error::Unsupported(m) => $new::Error::Unsupported(m),
                $old::Error::Authentication(f) => $new::Error::Authentication(failure(f)),
                $old::Error::PermissionDenied(f) => $new::Error::PermissionDenied(failure(f)),
                $old::Error::NotFound(f) => $new::Error::NotFound(failure(f)),
                $old::Error::ContentPolicy(f) => $new::Error::ContentPolicy(failure(f)),
                $old::Error::RateLimited(r) => $new::Error::RateLimited($new::RateLimit {
                    failure: failure(r.failure),
                    retry_after_ms: r.retry_after_ms,
                }),
                $old::Error::QuotaExceeded(f) => $new::Error::QuotaExceeded(failure(f)),
                $old::Error::Timeout(t) => $new::Error::Timeout($new::TimeoutInfo {
                    phase: same_cases!(t.phase, $old::TimeoutPhase => $new { Connect, FirstByte, BetweenBytes }),
                    message: t.message,
                }),
                $old::Error::Network(m) => $new::Error::Network(m),
                $old::Error::Upstream(f) => $new::Error::Upstream(failure(f)),
                $old::Error::MalformedResponse(f) => $new::Error::MalformedResponse(failure(f)),
                $old::Error::Cancelled(m) => $new::Error::Cancelled(m),
            }
        }
    };
}

pub mod v0_1;
pub mod v0_2;

/// A 0.2 component's calls: the 0.2 step.
pub mod to_v0_2 {
    use super::v0_2 as step;
    use crate::bindings::{self as v3, v0_2 as v2};

    pub fn settings(s: &[v3::Setting]) -> Result<Vec<v2::Setting>, v3::Error> {
        step::settings(s).map_err(step::error)
    }
    pub fn generate_request(r: &v3::GenerateRequest) -> Result<v2::GenerateRequest, v3::Error> {
        step::generate_request(r).map_err(step::error)
    }
    pub fn edit_request(r: &v3::EditRequest) -> Result<v2::EditRequest, v3::Error> {
        step::edit_request(r).map_err(step::error)
    }
    pub fn analyze_request(r: &v3::AnalyzeRequest) -> Result<v2::AnalyzeRequest, v3::Error> {
        step::analyze_request(r).map_err(step::error)
    }
    pub fn capability(c: v3::Capability) -> v2::Capability {
        step::capability_down(c)
    }
    pub use step::{analysis, backend_info, error, event, generation, model_entry, status};
}

/// A 0.1 component's calls: the 0.2 step, then the 0.1 step (and back up).
pub mod to_v0_1 {
    use super::{v0_1, v0_2};
    use crate::bindings::{self as v3, v0_1 as v1};

    pub fn settings(s: &[v3::Setting]) -> Result<v1::Settings, v3::Error> {
        v0_1::settings(&super::to_v0_2::settings(s)?).map_err(v0_2::error)
    }
    pub fn generate_request(r: &v3::GenerateRequest) -> Result<v1::GenerateRequest, v3::Error> {
        v0_1::generate_request(&super::to_v0_2::generate_request(r)?).map_err(v0_2::error)
    }
    pub fn edit_request(r: &v3::EditRequest) -> Result<v1::EditRequest, v3::Error> {
        v0_1::edit_request(&super::to_v0_2::edit_request(r)?).map_err(v0_2::error)
    }
    pub fn analyze_request(r: &v3::AnalyzeRequest) -> Result<v1::AnalyzeRequest, v3::Error> {
        v0_1::analyze_request(&super::to_v0_2::analyze_request(r)?).map_err(v0_2::error)
    }
    pub fn capability(c: v3::Capability) -> v1::Capability {
        v0_1::capability_down(v0_2::capability_down(c))
    }
    pub fn backend_info(i: v1::BackendInfo) -> v3::BackendInfo {
        v0_2::backend_info(v0_1::backend_info(i))
    }
    /// 0.1 has no `models` operation: what `info()` lists, with no lifecycle.
    pub fn models(i: v1::BackendInfo, wanted: Option<v3::Capability>) -> Vec<v3::ModelEntry> {
        let info = v0_1::backend_info(i);
        let wanted = wanted.map(v0_2::capability_down);
        v0_1::models(&info, wanted).into_iter().map(v0_2::model_entry).collect()
    }
    pub fn generation(g: v1::Generation) -> v3::Generation {
        v0_2::generation(v0_1::generation(g))
    }
    pub fn analysis(a: v1::Analysis) -> v3::Analysis {
        v0_2::analysis(v0_1::analysis(a))
    }
    pub fn event(e: v1::GenerationEvent) -> v3::GenerationEvent {
        v0_2::event(v0_1::event(e))
    }
    pub fn status(s: v1::Status) -> v3::Status {
        v0_2::status(v0_1::status(s))
    }
    pub fn error(e: v1::Error) -> v3::Error {
        v0_2::error(v0_1::error(e))
    }
}
