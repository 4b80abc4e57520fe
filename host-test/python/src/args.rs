//! Python arguments as the contract's requests and settings.
//!
//! Python-side mistakes (a format that is no format, a `str` where bytes
//! belong) are `ValueError` / `TypeError` before any call; everything the
//! contract can express goes to the backend, which judges it (its
//! `invalid-input` says what is wrong).

use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::pybacked::PyBackedBytes;
use pyo3::types::{
    PyBool, PyByteArray, PyBytes, PyDict, PyFloat, PyInt, PyList, PyMapping, PyMemoryView, PyString, PyTuple,
};
use visual_host::bindings::*;

/// A WIT enum from its case name (a `str`, or one of the package's str enums).
pub fn wit_enum<T: WitEnum>(value: &Bound<'_, PyAny>, what: &str) -> PyResult<T> {
    let name: String =
        value.extract().map_err(|_| PyTypeError::new_err(format!("{what} must be a str, not {}", type_name(value))))?;
    T::from_name(&name).ok_or_else(|| {
        let names: Vec<&str> = T::ALL.iter().map(|c| c.name()).collect();
        PyValueError::new_err(format!("{name:?} is not a valid {what}; expected one of {}", names.join(", ")))
    })
}

pub fn opt_enum<T: WitEnum>(value: Option<&Bound<'_, PyAny>>, what: &str) -> PyResult<Option<T>> {
    value.filter(|v| !v.is_none()).map(|v| wit_enum(v, what)).transpose()
}

fn type_name(value: &Bound<'_, PyAny>) -> String {
    value.get_type().name().map(|n| n.to_string()).unwrap_or_else(|_| "?".into())
}

/// `None`, `(width, height)`, a `Size`, or `"WIDTHxHEIGHT"`.
pub fn size(value: Option<&Bound<'_, PyAny>>) -> PyResult<Option<Size>> {
    let Some(value) = value.filter(|v| !v.is_none()) else { return Ok(None) };
    if let Ok(text) = value.cast::<PyString>() {
        let text = text.to_cow()?;
        let parsed =
            text.split_once(['x', 'X']).and_then(|(w, h)| Some((w.trim().parse().ok()?, h.trim().parse().ok()?)));
        return parsed
            .map(|(width, height)| Some(Size { width, height }))
            .ok_or_else(|| PyValueError::new_err(format!("size {text:?} is not WIDTHxHEIGHT")));
    }
    if let Ok((width, height)) = value.extract::<(u32, u32)>() {
        return Ok(Some(Size { width, height }));
    }
    if let (Ok(width), Ok(height)) = (value.getattr("width"), value.getattr("height")) {
        return Ok(Some(Size { width: width.extract()?, height: height.extract()? }));
    }
    Err(PyTypeError::new_err(format!("size must be (width, height), a Size or \"WxH\", not {}", type_name(value))))
}

/// A request option's or extra parameter's value, typed by its Python type:
/// `bool` a flag (checked before `int`, which `bool` subclasses), `int` and
/// `float` a number, `str` text, `bytes`, `bytearray` and `memoryview` an
/// image, and a `dict`, `list` or `tuple` a JSON document (`json.dumps`).
pub fn parameter_value(value: &Bound<'_, PyAny>, name: &str) -> PyResult<Value> {
    if let Ok(flag) = value.cast::<PyBool>() {
        return Ok(Value::Flag(flag.is_true()));
    }
    if value.is_instance_of::<PyInt>() || value.is_instance_of::<PyFloat>() {
        let number: f64 = value.extract()?;
        if !number.is_finite() {
            return Err(PyValueError::new_err(format!("{name}: {number} is not a finite number")));
        }
        return Ok(Value::Number(number));
    }
    if let Ok(text) = value.cast::<PyString>() {
        return Ok(Value::Text(text.to_cow()?.into_owned()));
    }
    if is_bytes_like(value) {
        return image_value(value, name);
    }
    if value.is_instance_of::<PyDict>() || value.is_instance_of::<PyList>() || value.is_instance_of::<PyTuple>() {
        let json = value.py().import("json")?;
        let kwargs = PyDict::new(value.py());
        kwargs.set_item("allow_nan", false)?;
        let text = json
            .getattr("dumps")?
            .call((value,), Some(&kwargs))
            .map_err(|e| PyValueError::new_err(format!("{name}: not a JSON document: {}", e.value(value.py()))))?;
        return Ok(Value::Json(text.extract()?));
    }
    Err(PyTypeError::new_err(format!(
        "{name} must be a str, bool, int, float, bytes (an image) or a dict or list (JSON), not {}",
        type_name(value)
    )))
}

/// `(name, value)` items of a mapping, `None` values left out.
fn items<'py>(mapping: &Bound<'py, PyAny>, what: &str) -> PyResult<Vec<(String, Bound<'py, PyAny>)>> {
    let mapping = mapping
        .cast::<PyMapping>()
        .map_err(|_| PyTypeError::new_err(format!("{what} must be a mapping, not {}", type_name(mapping))))?;
    let mut out = Vec::new();
    for item in mapping.items()?.iter() {
        let (name, value): (String, Bound<'_, PyAny>) = item.extract()?;
        if !value.is_none() {
            out.push((name, value));
        }
    }
    Ok(out)
}

/// The request's options: `options` (names as given) and the other keyword
/// arguments (`_` read as `-`: `output_compression=80` is the option
/// `output-compression`), each value typed by [`parameter_value`].
pub fn options(options: Option<&Bound<'_, PyAny>>, kwargs: Option<&Bound<'_, PyDict>>) -> PyResult<Vec<Parameter>> {
    let mut out = Vec::new();
    if let Some(options) = options.filter(|o| !o.is_none()) {
        for (name, value) in items(options, "options")? {
            let value = parameter_value(&value, &format!("option {name:?}"))?;
            out.push(Parameter { name, value });
        }
    }
    if let Some(kwargs) = kwargs {
        for (name, value) in kwargs.iter() {
            if value.is_none() {
                continue;
            }
            let name = name.extract::<String>()?.replace('_', "-");
            let value = parameter_value(&value, &format!("option {name:?}"))?;
            out.push(Parameter { name, value });
        }
    }
    Ok(out)
}

/// `extra=`: parameters sent to the service as given (names verbatim, as the
/// service spells them: `extra={"seed": 7}`), typed as options are.
pub fn extra(extra: Option<&Bound<'_, PyAny>>) -> PyResult<Vec<Parameter>> {
    let Some(extra) = extra.filter(|e| !e.is_none()) else { return Ok(Vec::new()) };
    items(extra, "extra")?
        .into_iter()
        .map(|(name, value)| {
            Ok(Parameter { value: parameter_value(&value, &format!("extra parameter {name:?}"))?, name })
        })
        .collect()
}

/// `output_format=`: any name the model declares (`"png"`, `"gif"`, `"svg"`,
/// an `OutputFormat`), or `None` for the model's default.
pub fn output_format(value: Option<&Bound<'_, PyAny>>) -> PyResult<Option<String>> {
    let Some(value) = value.filter(|v| !v.is_none()) else { return Ok(None) };
    let text = value
        .cast::<PyString>()
        .map_err(|_| PyTypeError::new_err(format!("output_format must be a str, not {}", type_name(value))))?;
    Ok(Some(text.to_cow()?.into_owned()))
}

/// Image bytes held without a copy until the call copies them into the request.
pub struct Bytes(PyBackedBytes);

impl Bytes {
    pub fn extract(value: &Bound<'_, PyAny>, what: &str) -> PyResult<Bytes> {
        if value.is_instance_of::<PyBytes>() || value.is_instance_of::<PyByteArray>() {
            return Ok(Bytes(value.extract()?));
        }
        if value.is_instance_of::<PyMemoryView>() {
            return Ok(Bytes(value.call_method0("tobytes")?.extract()?));
        }
        if let Ok(view) = value.call_method0("__bytes__") {
            return Ok(Bytes(view.extract()?));
        }
        Err(PyTypeError::new_err(format!("{what} must be bytes, not {}", type_name(value))))
    }

    /// The bytes, readable without the GIL (a `bytes` object is immutable,
    /// and this holds a reference to it).
    pub fn as_slice(&self) -> &[u8] {
        &self.0
    }
}

/// `bytes`, `bytearray` or `memoryview`: an image, where a value's Python
/// type says what it is.
fn is_bytes_like(value: &Bound<'_, PyAny>) -> bool {
    value.is_instance_of::<PyBytes>() || value.is_instance_of::<PyByteArray>() || value.is_instance_of::<PyMemoryView>()
}

/// An image value: the bytes, copied.
fn image_value(value: &Bound<'_, PyAny>, name: &str) -> PyResult<Value> {
    Ok(Value::Image(Bytes::extract(value, name)?.as_slice().to_vec()))
}

/// One image, or a sequence of them.
pub fn images(value: &Bound<'_, PyAny>) -> PyResult<Vec<Bytes>> {
    if is_bytes_like(value) {
        return Ok(vec![Bytes::extract(value, "the image")?]);
    }
    if value.is_instance_of::<PyString>() {
        return Err(PyTypeError::new_err("images must be bytes or a sequence of bytes, not str"));
    }
    value
        .try_iter()
        .map_err(|_| {
            PyTypeError::new_err(format!("images must be bytes or a sequence of bytes, not {}", type_name(value)))
        })?
        .enumerate()
        .map(|(i, item)| Bytes::extract(&item?, &format!("image {}", i + 1)))
        .collect()
}

// ---- settings -----------------------------------------------------------------

/// The values for `open`: `settings` (a mapping) and keyword arguments, by
/// declared name (`api_key` or `api-key`; a duration also as `..._ms`),
/// each converted to the kind the backend declares. `None` means not given.
/// Names the backend does not declare pass through (by their Python type)
/// for the backend to refuse.
pub fn settings(
    declared: &[FieldSpec],
    given: Option<&Bound<'_, PyAny>>,
    kwargs: Option<&Bound<'_, PyDict>>,
) -> PyResult<Vec<Setting>> {
    let mut items: Vec<(String, Bound<'_, PyAny>)> = Vec::new();
    if let Some(given) = given.filter(|g| !g.is_none()) {
        let mapping = given
            .cast::<PyMapping>()
            .map_err(|_| PyTypeError::new_err(format!("settings must be a mapping, not {}", type_name(given))))?;
        for item in mapping.items()?.iter() {
            items.push(item.extract()?);
        }
    }
    if let Some(kwargs) = kwargs {
        for (name, value) in kwargs.iter() {
            items.push((name.extract()?, value));
        }
    }
    let mut out: Vec<Setting> = Vec::new();
    for (name, value) in items {
        if value.is_none() {
            continue;
        }
        let mut name = name.replace('_', "-");
        let mut spec = declared.iter().find(|s| s.name == name);
        if spec.is_none() {
            if let Some(base) = name.strip_suffix("-ms") {
                if let Some(s) = declared.iter().find(|s| s.name == base && matches!(s.kind, ValueKind::Duration)) {
                    name = base.to_string();
                    spec = Some(s);
                }
            }
        }
        let value = match spec {
            Some(spec) => typed_value(&spec.kind, &value, &name)?,
            None => guessed_value(&value, &name)?,
        };
        out.retain(|s| s.name != name);
        out.push(Setting { name, value });
    }
    Ok(out)
}

fn kind_error(name: &str, kind: &str, value: &Bound<'_, PyAny>) -> PyErr {
    PyTypeError::new_err(format!("setting {name:?} takes a {kind} value, not {}", type_name(value)))
}

fn typed_value(kind: &ValueKind, value: &Bound<'_, PyAny>, name: &str) -> PyResult<Value> {
    let fail = || kind_error(name, kind.name(), value);
    Ok(match kind {
        ValueKind::Text | ValueKind::Secret | ValueKind::Url | ValueKind::Choice(_) => {
            Value::Text(value.cast::<PyString>().map_err(|_| fail())?.to_cow()?.into_owned())
        }
        ValueKind::Number(_) => {
            // `bool` subclasses `int`, but a flag is no number.
            if value.is_instance_of::<PyBool>() {
                return Err(fail());
            }
            Value::Number(value.extract::<f64>().map_err(|_| fail())?)
        }
        ValueKind::Duration => Value::Duration(duration_ms(value).ok_or_else(fail)?),
        ValueKind::Flag => Value::Flag(value.extract::<bool>().map_err(|_| fail())?),
        ValueKind::TextList => {
            if value.is_instance_of::<PyString>() {
                return Err(fail());
            }
            Value::TextList(value.extract::<Vec<String>>().map_err(|_| fail())?)
        }
        ValueKind::Pairs => Value::Pairs(pairs(value).ok_or_else(fail)?),
        ValueKind::Image(_) => image_value(value, name).map_err(|_| fail())?,
        ValueKind::Json => match value.cast::<PyString>() {
            // A JSON document already written out, or a value to write out.
            Ok(text) => Value::Json(text.to_cow()?.into_owned()),
            Err(_) => match parameter_value(value, name) {
                Ok(json @ Value::Json(_)) => json,
                _ => return Err(fail()),
            },
        },
    })
}

/// Milliseconds from an `int` (ms, as the contract counts), a `float` (ms) or
/// a `datetime.timedelta`.
fn duration_ms(value: &Bound<'_, PyAny>) -> Option<u64> {
    if let Ok(seconds) = value.call_method0("total_seconds").and_then(|s| s.extract::<f64>()) {
        return (seconds >= 0.0).then(|| (seconds * 1000.0).round() as u64);
    }
    if let Ok(ms) = value.extract::<u64>() {
        return Some(ms);
    }
    value.extract::<f64>().ok().filter(|ms| *ms >= 0.0).map(|ms| ms.round() as u64)
}

/// A mapping, or a sequence of `(name, value)` pairs.
fn pairs(value: &Bound<'_, PyAny>) -> Option<Vec<Pair>> {
    let items: Vec<(String, String)> = match value.cast::<PyMapping>() {
        Ok(mapping) => mapping.items().ok()?.extract().ok()?,
        Err(_) => value.extract().ok()?,
    };
    Some(items.into_iter().map(|(name, value)| Pair { name, value }).collect())
}

fn guessed_value(value: &Bound<'_, PyAny>, name: &str) -> PyResult<Value> {
    if let Ok(b) = value.cast::<PyBool>() {
        return Ok(Value::Flag(b.is_true()));
    }
    if let Ok(s) = value.cast::<PyString>() {
        return Ok(Value::Text(s.to_cow()?.into_owned()));
    }
    if is_bytes_like(value) {
        return image_value(value, name);
    }
    if let Ok(n) = value.extract::<f64>() {
        return Ok(Value::Number(n));
    }
    if let Some(ms) = value.hasattr("total_seconds")?.then(|| duration_ms(value)).flatten() {
        return Ok(Value::Duration(ms));
    }
    if let Ok(list) = value.extract::<Vec<String>>() {
        return Ok(Value::TextList(list));
    }
    if let Some(p) = pairs(value) {
        return Ok(Value::Pairs(p));
    }
    Err(PyTypeError::new_err(format!("setting {name:?}: cannot pass a {} value", type_name(value))))
}
