//! What a call cost: an estimate in US dollars from the `usage` an answer
//! reports and its model's published prices per million tokens
//! ([`Prices`], the model table's facts: each row cites the page it is from,
//! in `models.rs`); the invoice is the authority. A model whose prices are not
//! known gets no estimate rather than a guess, and an estimate that leaves
//! some tokens unpriced (the model that wrote an SVG, when its prices are
//! unknown) says it is incomplete.

use crate::bindings::{Analysis, Cost, CostItem, Generation, HelperUsage, Usage};
use crate::models;
use crate::prices::Prices;

/// `generation` with the estimate of what it cost, from its model's prices
/// and, for an SVG, its author's.
pub fn priced(mut generation: Generation) -> Generation {
    let prices = models::image_model(&generation.model).prices;
    let helper = generation.svg_usage.as_ref().map(|svg| {
        let author = svg.model.as_deref().and_then(|id| models::vision_model(id).prices);
        (svg, author)
    });
    let helper = helper.as_ref().map(|(svg, author)| (*svg, author.as_ref()));
    generation.cost = estimate(prices.as_ref(), generation.usage.as_ref(), helper);
    generation
}

/// `analysis` with the estimate of what it cost, priced as `model` (the
/// model the request named: the answer's may be a snapshot's id).
pub fn priced_analysis(mut analysis: Analysis, model: &str) -> Analysis {
    let prices = models::vision_model(model).prices;
    analysis.cost = estimate(prices.as_ref(), analysis.usage.as_ref(), None);
    analysis
}

/// Tokens of one class to be priced.
struct Bill {
    what: &'static str,
    tokens: u64,
    /// The rate, and the rate to fall back to (a cached class whose own rate
    /// is not published is billed at the full one: an upper bound).
    rate: Option<f64>,
}

/// The estimate for one call: the main model's `usage` at `prices`, plus
/// the helper model's (`helper`, priced by `helper_prices` when known).
/// `None` when the main model's prices are unknown or there is no usage.
pub fn estimate(
    prices: Option<&Prices>,
    usage: Option<&Usage>,
    helper: Option<(&HelperUsage, Option<&Prices>)>,
) -> Option<Cost> {
    let (prices, usage) = (prices?, usage?);
    let mut items = Vec::new();
    let mut complete = add(&mut items, "", prices, usage);
    if let Some((helper, helper_prices)) = helper {
        let model = helper.model.as_deref().unwrap_or("unnamed model");
        let label = format!("SVG author {model}: ");
        complete &= match helper_prices {
            Some(helper_prices) => add(&mut items, &label, helper_prices, &helper.usage),
            None => helper.usage.total_tokens == 0,
        };
    }
    let usd = items.iter().map(|i| i.usd).sum();
    Some(Cost { usd, items, complete })
}

/// Adds the items of `usage` at `prices`, labelled with `prefix`; false when
/// some tokens had no price.
fn add(items: &mut Vec<CostItem>, prefix: &str, prices: &Prices, usage: &Usage) -> bool {
    let mut complete = true;
    for bill in bills(prices, usage) {
        if bill.tokens == 0 {
            continue;
        }
        let Some(rate) = bill.rate else {
            complete = false;
            continue;
        };
        items.push(CostItem {
            what: format!("{prefix}{}", bill.what),
            tokens: bill.tokens,
            usd_per_million: rate,
            usd: bill.tokens as f64 * rate / 1_000_000.0,
        });
    }
    complete
}

/// `usage` split into the classes `prices` bills. Input the service does
/// not break down counts as text; an image model's output it does not break
/// down counts as image output, a chat model's as text. Cached tokens are
/// part of the input, taken out of the text input first.
fn bills(prices: &Prices, usage: &Usage) -> [Bill; 6] {
    let chat = prices.image_output.is_none();
    let (mut text_in, image_in) = match (usage.input_text_tokens, usage.input_image_tokens) {
        (None, None) => (usage.input_tokens, 0),
        (text, image) => {
            let image = image.unwrap_or(0);
            (text.unwrap_or(usage.input_tokens.saturating_sub(image)), image)
        }
    };
    // A chat model bills image input at its text rate.
    let (text_in_all, image_in) = if chat { (text_in + image_in, 0) } else { (text_in, image_in) };
    text_in = text_in_all;
    let cached = usage.input_cached_tokens.unwrap_or(0);
    let cached_text = cached.min(text_in);
    let cached_image = (cached - cached_text).min(image_in);
    let (text_out, image_out) = match (usage.output_text_tokens, usage.output_image_tokens) {
        (None, None) if chat => (usage.output_tokens, 0),
        (None, None) => (0, usage.output_tokens),
        (text, image) => (text.unwrap_or(0), image.unwrap_or(0)),
    };
    let or_full = |cached: Option<f64>, full: Option<f64>| cached.or(full);
    [
        Bill { what: "text input", tokens: text_in - cached_text, rate: prices.text_input },
        Bill {
            what: "text input (cached)",
            tokens: cached_text,
            rate: or_full(prices.text_input_cached, prices.text_input),
        },
        Bill { what: "image input", tokens: image_in - cached_image, rate: prices.image_input },
        Bill {
            what: "image input (cached)",
            tokens: cached_image,
            rate: or_full(prices.image_input_cached, prices.image_input),
        },
        Bill { what: "text output", tokens: text_out, rate: prices.text_output },
        Bill { what: "image output", tokens: image_out, rate: prices.image_output },
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    const IMAGE: Prices = Prices::image(5.0, Some(1.25), 8.0, Some(2.0), 30.0, "page");
    const CHAT: Prices = Prices::chat(0.10, 0.01, 0.50, "page");

    fn usage(input: u64, output: u64) -> Usage {
        Usage {
            input_tokens: input,
            output_tokens: output,
            total_tokens: input + output,
            input_text_tokens: None,
            input_image_tokens: None,
            input_cached_tokens: None,
            output_text_tokens: None,
            output_image_tokens: None,
        }
    }

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-12
    }

    #[test]
    fn an_image_generation_is_text_in_and_image_out() {
        let cost = estimate(Some(&IMAGE), Some(&usage(50, 4160)), None).unwrap();
        // 50 text tokens at $5/M and 4160 image tokens at $30/M.
        assert!(close(cost.usd, 50.0 * 5.0 / 1e6 + 4160.0 * 30.0 / 1e6), "{}", cost.usd);
        let what: Vec<&str> = cost.items.iter().map(|i| i.what.as_str()).collect();
        assert_eq!(what, ["text input", "image output"]);
        assert!(cost.complete);
    }

    #[test]
    fn an_edit_bills_its_classes_and_cached_tokens() {
        let u = Usage {
            input_text_tokens: Some(100),
            input_image_tokens: Some(1000),
            input_cached_tokens: Some(300),
            output_image_tokens: Some(2000),
            output_text_tokens: Some(0),
            ..usage(1100, 2000)
        };
        let cost = estimate(Some(&IMAGE), Some(&u), None).unwrap();
        let line = |what: &str| cost.items.iter().find(|i| i.what == what).map(|i| (i.tokens, i.usd_per_million));
        assert_eq!(line("text input (cached)"), Some((100, 1.25)));
        assert_eq!(line("text input"), None);
        assert_eq!(line("image input (cached)"), Some((200, 2.0)));
        assert_eq!(line("image input"), Some((800, 8.0)));
        assert_eq!(line("image output"), Some((2000, 30.0)));
        let expected = (100.0 * 1.25 + 200.0 * 2.0 + 800.0 * 8.0 + 2000.0 * 30.0) / 1e6;
        assert!(close(cost.usd, expected));
    }

    #[test]
    fn a_chat_model_bills_images_as_input() {
        let u = Usage { input_cached_tokens: Some(1000), ..usage(1117, 46) };
        let cost = estimate(Some(&CHAT), Some(&u), None).unwrap();
        assert!(close(cost.usd, (117.0 * 0.10 + 1000.0 * 0.01 + 46.0 * 0.50) / 1e6));
    }

    #[test]
    fn an_unpublished_cached_rate_is_the_full_one() {
        let no_cache = Prices::image(5.0, None, 8.0, None, 30.0, "page");
        let u = Usage { input_cached_tokens: Some(10), ..usage(10, 0) };
        let cost = estimate(Some(&no_cache), Some(&u), None).unwrap();
        assert_eq!(cost.items[0].usd_per_million, 5.0);
    }

    #[test]
    fn the_svg_author_is_priced_when_known() {
        let svg = HelperUsage { model: Some("gpt-6-luna".into()), usage: usage(1000, 2000) };
        let priced = estimate(Some(&IMAGE), Some(&usage(10, 100)), Some((&svg, Some(&CHAT)))).unwrap();
        assert!(priced.complete);
        assert!(priced.items.iter().any(|i| i.what == "SVG author gpt-6-luna: text output" && i.tokens == 2000));
        let unpriced = estimate(Some(&IMAGE), Some(&usage(10, 100)), Some((&svg, None))).unwrap();
        assert!(!unpriced.complete);
        assert!(unpriced.usd < priced.usd);
    }

    #[test]
    fn no_prices_or_no_usage_is_no_estimate() {
        assert_eq!(estimate(None, Some(&usage(1, 1)), None), None);
        assert_eq!(estimate(Some(&IMAGE), None, None), None);
    }

    fn generation(model: &str, svg: Option<HelperUsage>) -> Generation {
        Generation {
            model: model.into(),
            images: vec![],
            revised_prompt: None,
            usage: Some(usage(20, 4000)),
            svg_usage: svg,
            cost: None,
        }
    }

    #[test]
    fn a_generation_is_priced_by_its_model_and_its_svg_author() {
        let plain = priced(generation("gpt-image-2.6-flare", None)).cost.unwrap();
        assert!(close(plain.usd, (20.0 * 5.0 + 4000.0 * 30.0) / 1e6));
        let author = HelperUsage { model: Some("gpt-6-luna".into()), usage: usage(1000, 2000) };
        let svg = priced(generation("gpt-image-2.6-sunburst", Some(author))).cost.unwrap();
        assert!(svg.complete);
        assert!(close(svg.usd - plain.usd, (1000.0 * 0.10 + 2000.0 * 0.50) / 1e6));
        let stranger = HelperUsage { model: Some("svg-writer-9".into()), usage: usage(1, 1) };
        assert!(!priced(generation("gpt-image-2.6-sunburst", Some(stranger))).cost.unwrap().complete);
        // No prices for a model the table does not know, nor a family member it has not met.
        for id in ["gpt-image-2.7-nova", "gpt-image-2.6-ember", "dall-e-3"] {
            assert_eq!(priced(generation(id, None)).cost, None, "{id}");
        }
        let analysis = Analysis {
            text: String::new(),
            model: "gpt-6-luna-2026-09-22".into(),
            finish_reason: "stop".into(),
            truncated: false,
            usage: Some(usage(1000, 100)),
            cost: None,
        };
        let cost = priced_analysis(analysis, "gpt-6-luna").cost.unwrap();
        assert!(close(cost.usd, (1000.0 * 0.10 + 100.0 * 0.50) / 1e6));
    }
}
