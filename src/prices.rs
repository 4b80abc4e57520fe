//! A model's published prices, by the classes of tokens OpenAI bills: data
//! the model table carries (`models.rs`) and `info()` declares, and what
//! `pricing.rs` multiplies the usage by.

/// US dollars per million tokens; `None` where the class does not apply or
/// is not published.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Prices {
    pub text_input: Option<f64>,
    pub text_input_cached: Option<f64>,
    /// `None` for a vision model, which bills image input as input tokens at
    /// its text rate.
    pub image_input: Option<f64>,
    pub image_input_cached: Option<f64>,
    pub text_output: Option<f64>,
    pub image_output: Option<f64>,
    /// The page the prices are from.
    pub source: &'static str,
}

impl Prices {
    /// An image model's prices: text and image input (with their cached
    /// rates, where published) and image output.
    pub const fn image(
        text: f64,
        text_cached: Option<f64>,
        image: f64,
        image_cached: Option<f64>,
        output: f64,
        source: &'static str,
    ) -> Prices {
        Prices {
            text_input: Some(text),
            text_input_cached: text_cached,
            image_input: Some(image),
            image_input_cached: image_cached,
            text_output: None,
            image_output: Some(output),
            source,
        }
    }

    /// A vision (chat) model's prices: input, cached input, text output.
    pub const fn chat(input: f64, cached: f64, output: f64, source: &'static str) -> Prices {
        Prices {
            text_input: Some(input),
            text_input_cached: Some(cached),
            image_input: None,
            image_input_cached: None,
            text_output: Some(output),
            image_output: None,
            source,
        }
    }

    /// The contract's form, for `info()`.
    pub fn to_wit(self) -> crate::bindings::Prices {
        crate::bindings::Prices {
            text_input: self.text_input,
            text_input_cached: self.text_input_cached,
            image_input: self.image_input,
            image_input_cached: self.image_input_cached,
            text_output: self.text_output,
            image_output: self.image_output,
            source: self.source.to_string(),
        }
    }
}
