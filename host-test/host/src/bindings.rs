//! The contract's types as hosts use them: `wasmtime::component::bindgen!`
//! output for the `backend` world (any visual backend, whatever it imports),
//! generated from the same `wit/` the components are built from, so a contract
//! change breaks the build here rather than at run time. Helpers are methods
//! on the generated types; nothing mirrors them.
//!
//! The newest contract (0.3) is this module's own; [`v0_2`] and [`v0_1`] are
//! the ones before, which the runtime still loads and presents in the 0.3
//! shape, one step at a time (`legacy`).

mod v0_3 {
    wasmtime::component::bindgen!({
        world: "backend",
        path: "../../wit/since_v0.3.0",
        exports: { default: async },
    });
}

/// Contract 0.2, for components built before 0.3. Only the runtime uses it.
pub mod v0_2 {
    wasmtime::component::bindgen!({
        world: "backend",
        path: "../../wit/since_v0.2.0",
        exports: { default: async },
    });

    pub use talemate::visual::types::*;
}

/// Contract 0.1, for components built before 0.2. Only the runtime uses it.
pub mod v0_1 {
    wasmtime::component::bindgen!({
        world: "backend",
        path: "../../wit/since_v0.1.0",
        exports: { default: async },
    });

    pub use talemate::visual::types::*;
}

pub use v0_3::talemate::visual::types::*;
pub(crate) use v0_3::{Backend, BackendPre};

// Case names, the error's kind and message, constructors: written once for
// the hosts and the component.
visual_contract::helpers!();

/// The contract's package and interface, as components name their export.
pub const CONTRACT_PACKAGE: &str = "talemate:visual";
pub const CONTRACT_INTERFACE: &str = "visual-backend";
/// The contract this host speaks natively; `SUPPORTED_VERSIONS` lists every
/// one it loads. A component exporting any other major (or, before 1.0,
/// minor) version is refused before instantiation.
pub const CONTRACT_VERSION: &str = "0.3.0";
pub const SUPPORTED_VERSIONS: &[&str] = &["0.3.0", "0.2.0", "0.1.0"];

/// A WIT `enum`, by its case names: what a command line parses, a report
/// prints and a settings panel lists, without a mirror of the cases. The
/// names themselves are `visual_contract::enum_names!`'s; this trait lets
/// generic code (a clap parser) take any of them.
pub trait WitEnum: Copy + Sized + 'static {
    /// Every case, in WIT order.
    const ALL: &'static [Self];

    /// The WIT case name (`landscape`, `text-to-image`, ...).
    fn name(self) -> &'static str;

    /// The case with this WIT name.
    fn from_name(name: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|case| case.name() == name)
    }
}

/// Implements [`WitEnum`] with the inherent items `helpers!` gives each enum.
macro_rules! wit_enum {
    ($($ty:ident),+) => {
        $(impl WitEnum for $ty {
            const ALL: &'static [Self] = $ty::ALL;

            fn name(self) -> &'static str {
                $ty::name(self)
            }
        })+
    };
}

wit_enum!(Capability, PromptStyle, ImageFormat, ModelState, StatusLevel, TimeoutPhase);

/// Never prints a value: settings hold keys, and the kind is enough to debug.
impl std::fmt::Display for Parameter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} (a {} value)", self.name, self.value.kind_name())
    }
}

impl FieldSpec {
    /// The value that applies: the one given in `values`, else the default.
    pub fn effective<'a>(&'a self, values: &'a [Setting]) -> Option<&'a Value> {
        values.iter().find(|s| s.name == self.name).map(|s| &s.value).or(self.default.as_ref())
    }
}

impl BackendInfo {
    /// The declared setting called `name`.
    pub fn setting(&self, name: &str) -> Option<&FieldSpec> {
        self.settings.iter().find(|s| s.name == name)
    }

    /// What the backend offers for `capability`.
    pub fn capability(&self, capability: Capability) -> Option<&CapabilityInfo> {
        self.capabilities.iter().find(|c| c.capability == capability)
    }
}
