//! The exports' glue that does not depend on the contract version: the same
//! code for `component` (0.3 and 0.2) and `component_v0_1` (0.1), whose
//! generated types share their names and shapes (where 0.3 added a field, a
//! `cfg` says so). Each module expands [`shared_glue!`] after
//! naming its bindings `wit` (types) and `api` (exports).

/// Expands to the stream resource, the result builders and the conversions
/// between the crate's vocabulary and `wit`'s.
macro_rules! shared_glue {
    () => {
        /// A generation drawn step by step: `partials` previews of each image, then
        /// the result. Nothing is drawn before the host asks for it.
        pub struct Stream {
            plan: Plan,
            partials: u32,
            /// The next step; `partials * count` is the result, anything past it the end.
            step: Cell<u32>,
        }

        impl Stream {
            fn start(plan: Plan, partial_images: u32) -> Result<api::GenerationStream, wit::Error> {
                let partials = check_partial_images(partial_images).map_err(to_error)?;
                Ok(api::GenerationStream::new(Stream { plan, partials, step: Cell::new(0) }))
            }
        }

        impl api::GuestGenerationStream for Stream {
            fn next(&self) -> Option<Result<wit::GenerationEvent, wit::Error>> {
                let last = self.partials * self.plan.count;
                let current = self.step.get();
                if current > last {
                    return None;
                }
                self.step.set(current + 1);
                if current == last {
                    return Some(generation(&self.plan).map(wit::GenerationEvent::Completed));
                }
                let (index, partial) = (current / self.partials, current % self.partials);
                Some(match self.plan.preview(index, partial, self.partials) {
                    Ok(p) => Ok(wit::GenerationEvent::Partial(wit::PartialImage {
                        image_index: index,
                        partial_index: partial,
                        image: image(p),
                    })),
                    Err(e) => {
                        self.step.set(last + 1); // an error ends the stream
                        Err(encoding_failed(e))
                    }
                })
            }
        }

        fn analysis(d: crate::Description) -> wit::Analysis {
            wit::Analysis {
                text: d.text,
                model: crate::MODEL.into(),
                finish_reason: if d.truncated { "length" } else { "stop" }.into(),
                truncated: d.truncated,
                usage: None,
                // Contract 0.3: what it cost (nothing to price).
                #[cfg(not(any(feature = "contract-v0-1", feature = "contract-v0-2")))]
                cost: None,
            }
        }

        /// Ready for the one model; an error naming it for any other.
        fn status(model: Option<String>) -> wit::Status {
            match crate::check_model(model.as_deref()) {
                Ok(m) => wit::Status {
                    level: wit::StatusLevel::Ok,
                    message: "Ready: the placeholder backend draws offline and needs no key.".into(),
                    model: m.into(),
                    problem: None,
                },
                Err(rejection) => wit::Status {
                    level: wit::StatusLevel::Error,
                    message: rejection.message().into(),
                    model: model.unwrap_or_default(),
                    problem: Some(to_error(rejection)),
                },
            }
        }

        fn generation(plan: &Plan) -> Result<wit::Generation, wit::Error> {
            let images = (0..plan.count)
                .map(|i| plan.picture(i).map(image).map_err(encoding_failed))
                .collect::<Result<Vec<_>, _>>()?;
            Ok(wit::Generation {
                model: crate::MODEL.into(),
                images,
                revised_prompt: None,
                usage: None,
                #[cfg(not(any(feature = "contract-v0-1", feature = "contract-v0-2")))]
                svg_usage: None,
                #[cfg(not(any(feature = "contract-v0-1", feature = "contract-v0-2")))]
                cost: None,
            })
        }

        fn image(p: crate::Picture) -> wit::Image {
            wit::Image { data: p.png, mime_type: "image/png".into(), width: p.width, height: p.height }
        }

        /// Cannot happen for the sizes `Plan` admits; reported rather than trapped.
        fn encoding_failed(e: png::EncodingError) -> wit::Error {
            wit::Error::Upstream(wit::Failure {
                message: format!("the placeholder backend could not encode its PNG: {e}"),
                status: None,
                code: None,
                request_id: None,
            })
        }

        fn to_error(r: Rejection) -> wit::Error {
            match r {
                Rejection::InvalidInput(m) => wit::Error::InvalidInput(m),
                Rejection::Unsupported(m) => wit::Error::Unsupported(m),
                Rejection::UnknownModel(message) => wit::Error::NotFound(wit::Failure {
                    message,
                    status: None,
                    code: Some("model_not_found".into()),
                    request_id: None,
                }),
            }
        }

        /// The size each format maps to: the same as OpenAI's GPT image models.
        fn format_sizes() -> Vec<wit::FormatSize> {
            Format::ALL
                .iter()
                .map(|&f| {
                    let (width, height) = f.size();
                    wit::FormatSize { format: to_format(f), size: wit::Size { width, height } }
                })
                .collect()
        }

        fn from_format(f: wit::ImageFormat) -> Format {
            match f {
                wit::ImageFormat::Landscape => Format::Landscape,
                wit::ImageFormat::Portrait => Format::Portrait,
                wit::ImageFormat::Square => Format::Square,
            }
        }

        fn to_format(f: Format) -> wit::ImageFormat {
            match f {
                Format::Landscape => wit::ImageFormat::Landscape,
                Format::Portrait => wit::ImageFormat::Portrait,
                Format::Square => wit::ImageFormat::Square,
            }
        }
    };
}

pub(crate) use shared_glue;

/// The crate's [`crate::Job`] for a generate or edit request of any version
/// (their fields share names), with the encoding and compression it asks for.
macro_rules! job {
    ($request:expr, $encoding:expr, $compression:expr) => {
        crate::Job {
            prompt: &$request.prompt,
            format: from_format($request.format),
            model: $request.model.as_deref(),
            size: $request.size.map(|s| (s.width, s.height)),
            n: $request.n,
            encoding: $encoding,
            compression: $compression,
        }
    };
}

pub(crate) use job;
