//! The contract's results as the dataclasses of `talemate_visual.types`.
//! Images become `bytes` with one copy out of the component's buffer.

use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyBytes, PyDict, PyModule, PyTuple};
use pyo3::IntoPyObjectExt;
use visual_host::bindings::*;

use crate::errors::{error_object, module};

static TYPES: PyOnceLock<Py<PyModule>> = PyOnceLock::new();

/// Builds `talemate_visual.types.<class>(**fields)`.
struct Make<'py> {
    py: Python<'py>,
    types: Bound<'py, PyModule>,
}

impl<'py> Make<'py> {
    fn new(py: Python<'py>) -> PyResult<Self> {
        Ok(Make { py, types: module(py, &TYPES, "talemate_visual.types")? })
    }

    fn class(&self, class: &str, fields: &[(&str, Bound<'py, PyAny>)]) -> PyResult<Bound<'py, PyAny>> {
        let kwargs = PyDict::new(self.py);
        for (name, value) in fields {
            kwargs.set_item(*name, value)?;
        }
        self.types.getattr(class)?.call((), Some(&kwargs))
    }

    /// A str-enum member from its WIT name.
    fn enumeration(&self, class: &str, name: &str) -> PyResult<Bound<'py, PyAny>> {
        self.types.getattr(class)?.call1((name,))
    }

    fn v<T: IntoPyObject<'py>>(&self, value: T) -> PyResult<Bound<'py, PyAny>> {
        value.into_bound_py_any(self.py)
    }

    fn opt<T>(
        &self,
        value: Option<&T>,
        f: impl FnOnce(&T) -> PyResult<Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        match value {
            Some(v) => f(v),
            None => Ok(self.py.None().into_bound(self.py)),
        }
    }

    fn tuple<T>(&self, items: &[T], f: impl Fn(&T) -> PyResult<Bound<'py, PyAny>>) -> PyResult<Bound<'py, PyAny>> {
        let items = items.iter().map(f).collect::<PyResult<Vec<_>>>()?;
        Ok(PyTuple::new(self.py, items)?.into_any())
    }

    fn size(&self, s: &Size) -> PyResult<Bound<'py, PyAny>> {
        self.class("Size", &[("width", self.v(s.width)?), ("height", self.v(s.height)?)])
    }

    fn lifecycle(&self, l: &Lifecycle) -> PyResult<Bound<'py, PyAny>> {
        self.class(
            "Lifecycle",
            &[
                ("state", self.enumeration("ModelState", l.state.name())?),
                ("shutdown_date", self.v(l.shutdown_date.as_deref())?),
                ("replacement", self.v(l.replacement.as_deref())?),
            ],
        )
    }

    fn value(&self, value: &Value) -> PyResult<Bound<'py, PyAny>> {
        match value {
            Value::Text(t) => self.v(t.as_str()),
            Value::Number(n) => self.v(*n),
            Value::Duration(ms) => self.v(*ms),
            Value::Flag(b) => self.v(*b),
            Value::TextList(list) => self.tuple(list, |t| self.v(t.as_str())),
            Value::Pairs(pairs) => {
                self.tuple(pairs, |p| Ok(PyTuple::new(self.py, [p.name.as_str(), p.value.as_str()])?.into_any()))
            }
            Value::Image(bytes) => Ok(PyBytes::new(self.py, bytes).into_any()),
            // The document as Python values; text that is no JSON stays text.
            Value::Json(text) => {
                let json = self.py.import("json")?;
                json.getattr("loads")?.call1((text.as_str(),)).or_else(|_| self.v(text.as_str()))
            }
        }
    }

    fn field_spec(&self, f: &FieldSpec) -> PyResult<Bound<'py, PyAny>> {
        let none = || self.py.None().into_bound(self.py);
        let (mut range, mut choices, mut media_types) = (none(), none(), none());
        match &f.kind {
            ValueKind::Number(r) => {
                range = self.class(
                    "NumberRange",
                    &[
                        ("min", self.v(r.min)?),
                        ("max", self.v(r.max)?),
                        ("integer", self.v(r.integer)?),
                        ("step", self.v(r.step)?),
                    ],
                )?
            }
            ValueKind::Choice(list) => choices = self.tuple(list, |c| self.v(c.as_str()))?,
            ValueKind::Image(types) => media_types = self.tuple(types, |t| self.v(t.as_str()))?,
            _ => {}
        }
        let kind = self.class(
            "ValueKind",
            &[("name", self.v(f.kind.name())?), ("range", range), ("choices", choices), ("media_types", media_types)],
        )?;
        self.class(
            "FieldSpec",
            &[
                ("name", self.v(f.name.as_str())?),
                ("label", self.v(f.label.as_str())?),
                ("kind", kind),
                ("default", self.opt(f.default.as_ref(), |v| self.value(v))?),
                ("help", self.v(f.help.as_deref())?),
                ("required", self.v(f.required)?),
            ],
        )
    }

    fn model_info(&self, m: &ModelInfo) -> PyResult<Bound<'py, PyAny>> {
        let formats = self.tuple(&m.sizes.formats, |fs| {
            self.class(
                "FormatSize",
                &[("format", self.enumeration("ImageFormat", fs.format.name())?), ("size", self.size(&fs.size)?)],
            )
        })?;
        let free = self.opt(m.sizes.free.as_ref(), |f| {
            self.class(
                "FreeSizes",
                &[
                    ("step", self.v(f.step)?),
                    ("min_side", self.v(f.min_side)?),
                    ("max_long_side", self.v(f.max_long_side)?),
                    ("max_short_side", self.v(f.max_short_side)?),
                    ("max_aspect_ratio", self.v(f.max_aspect_ratio)?),
                ],
            )
        })?;
        self.class(
            "ModelInfo",
            &[
                ("id", self.v(m.id.as_str())?),
                ("label", self.v(m.label.as_str())?),
                ("note", self.v(m.note.as_deref())?),
                ("lifecycle", self.opt(m.lifecycle.as_ref(), |l| self.lifecycle(l))?),
                ("sizes", self.class("SizeRule", &[("formats", formats), ("free", free)])?),
                ("qualities", self.tuple(&m.qualities, |q| self.v(q.as_str()))?),
                ("default_quality", self.v(m.default_quality.as_deref())?),
                ("output_formats", self.tuple(&m.output_formats, |f| self.v(f.as_str()))?),
                ("default_output_format", self.v(m.default_output_format.as_deref())?),
                ("options", self.tuple(&m.options, |o| self.field_spec(o))?),
                ("max_reference_images", self.v(m.max_reference_images)?),
                ("max_prompt_chars", self.v(m.max_prompt_chars)?),
                ("max_images", self.v(m.max_images)?),
                ("streams_partial_images", self.v(m.streams_partial_images)?),
                ("prices", self.opt(m.prices.as_ref(), |p| self.prices(p))?),
            ],
        )
    }

    fn prices(&self, p: &Prices) -> PyResult<Bound<'py, PyAny>> {
        self.class(
            "Prices",
            &[
                ("text_input", self.v(p.text_input)?),
                ("text_input_cached", self.v(p.text_input_cached)?),
                ("image_input", self.v(p.image_input)?),
                ("image_input_cached", self.v(p.image_input_cached)?),
                ("text_output", self.v(p.text_output)?),
                ("image_output", self.v(p.image_output)?),
                ("source", self.v(p.source.as_str())?),
            ],
        )
    }

    fn cost(&self, c: &Cost) -> PyResult<Bound<'py, PyAny>> {
        let items = self.tuple(&c.items, |i| {
            self.class(
                "CostItem",
                &[
                    ("what", self.v(i.what.as_str())?),
                    ("tokens", self.v(i.tokens)?),
                    ("usd_per_million", self.v(i.usd_per_million)?),
                    ("usd", self.v(i.usd)?),
                ],
            )
        })?;
        self.class("Cost", &[("usd", self.v(c.usd)?), ("items", items), ("complete", self.v(c.complete)?)])
    }

    fn helper_usage(&self, h: &HelperUsage) -> PyResult<Bound<'py, PyAny>> {
        self.class("HelperUsage", &[("model", self.v(h.model.as_deref())?), ("usage", self.usage(&h.usage)?)])
    }

    fn usage(&self, u: &Usage) -> PyResult<Bound<'py, PyAny>> {
        self.class(
            "Usage",
            &[
                ("input_tokens", self.v(u.input_tokens)?),
                ("output_tokens", self.v(u.output_tokens)?),
                ("total_tokens", self.v(u.total_tokens)?),
                ("input_text_tokens", self.v(u.input_text_tokens)?),
                ("input_image_tokens", self.v(u.input_image_tokens)?),
                ("input_cached_tokens", self.v(u.input_cached_tokens)?),
                ("output_text_tokens", self.v(u.output_text_tokens)?),
                ("output_image_tokens", self.v(u.output_image_tokens)?),
            ],
        )
    }

    fn image(&self, i: &Image) -> PyResult<Bound<'py, PyAny>> {
        self.class(
            "Image",
            &[
                ("data", PyBytes::new(self.py, &i.data).into_any()),
                ("mime_type", self.v(i.mime_type.as_str())?),
                ("width", self.v(i.width)?),
                ("height", self.v(i.height)?),
            ],
        )
    }
}

pub fn backend_info<'py>(py: Python<'py>, info: &BackendInfo) -> PyResult<Bound<'py, PyAny>> {
    let m = Make::new(py)?;
    let capabilities = m.tuple(&info.capabilities, |c| {
        m.class(
            "CapabilityInfo",
            &[
                ("capability", m.enumeration("Capability", c.capability.name())?),
                ("supported", m.v(c.supported)?),
                ("models", m.tuple(&c.models, |model| m.model_info(model))?),
                ("default_model", m.v(c.default_model.as_deref())?),
                ("accepts_unknown_models", m.v(c.accepts_unknown_models)?),
                ("accepts_extra_parameters", m.v(c.accepts_extra_parameters)?),
                ("max_reference_images", m.v(c.max_reference_images)?),
            ],
        )
    })?;
    m.class(
        "BackendInfo",
        &[
            ("name", m.v(info.name.as_str())?),
            ("label", m.v(info.label.as_str())?),
            ("description", m.v(info.description.as_str())?),
            ("version", m.v(info.version.as_str())?),
            ("prompt_style", m.enumeration("PromptStyle", info.prompt_style.name())?),
            ("capabilities", capabilities),
            ("settings", m.tuple(&info.settings, |s| m.field_spec(s))?),
        ],
    )
}

pub fn generation<'py>(py: Python<'py>, g: &Generation) -> PyResult<Bound<'py, PyAny>> {
    let m = Make::new(py)?;
    m.class(
        "Generation",
        &[
            ("model", m.v(g.model.as_str())?),
            ("images", m.tuple(&g.images, |i| m.image(i))?),
            ("revised_prompt", m.v(g.revised_prompt.as_deref())?),
            ("usage", m.opt(g.usage.as_ref(), |u| m.usage(u))?),
            ("svg_usage", m.opt(g.svg_usage.as_ref(), |h| m.helper_usage(h))?),
            ("cost", m.opt(g.cost.as_ref(), |c| m.cost(c))?),
        ],
    )
}

pub fn analysis<'py>(py: Python<'py>, a: &Analysis) -> PyResult<Bound<'py, PyAny>> {
    let m = Make::new(py)?;
    m.class(
        "Analysis",
        &[
            ("text", m.v(a.text.as_str())?),
            ("model", m.v(a.model.as_str())?),
            ("finish_reason", m.v(a.finish_reason.as_str())?),
            ("truncated", m.v(a.truncated)?),
            ("usage", m.opt(a.usage.as_ref(), |u| m.usage(u))?),
            ("cost", m.opt(a.cost.as_ref(), |c| m.cost(c))?),
        ],
    )
}

pub fn status<'py>(py: Python<'py>, s: &Status) -> PyResult<Bound<'py, PyAny>> {
    let m = Make::new(py)?;
    m.class(
        "Status",
        &[
            ("level", m.enumeration("StatusLevel", s.level.name())?),
            ("message", m.v(s.message.as_str())?),
            ("model", m.v(s.model.as_str())?),
            ("problem", m.opt(s.problem.as_ref(), |e| error_object(py, e))?),
        ],
    )
}

pub fn models<'py>(py: Python<'py>, entries: &[ModelEntry]) -> PyResult<Bound<'py, PyAny>> {
    let m = Make::new(py)?;
    m.tuple(entries, |e| {
        m.class(
            "ModelEntry",
            &[
                ("id", m.v(e.id.as_str())?),
                ("capability", m.enumeration("Capability", e.capability.name())?),
                ("listed", m.v(e.listed)?),
                ("lifecycle", m.opt(e.lifecycle.as_ref(), |l| m.lifecycle(l))?),
                ("label", m.v(e.label.as_str())?),
                ("note", m.v(e.note.as_deref())?),
            ],
        )
    })
}

pub fn event<'py>(py: Python<'py>, e: &GenerationEvent) -> PyResult<Bound<'py, PyAny>> {
    match e {
        GenerationEvent::Completed(g) => generation(py, g),
        GenerationEvent::Partial(p) => {
            let m = Make::new(py)?;
            m.class(
                "PartialImage",
                &[
                    ("image_index", m.v(p.image_index)?),
                    ("partial_index", m.v(p.partial_index)?),
                    ("image", m.image(&p.image)?),
                ],
            )
        }
    }
}
