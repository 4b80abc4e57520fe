//! The WIT exports: wit-bindgen's traits implemented by forwarding each call
//! to the pure [`Client`]. The contract's types pass through unchanged (the
//! crate uses wit-bindgen's own), so nothing here decides or translates.

use std::cell::RefCell;

use crate::bindings::api::{self, Guest, GuestClient, GuestGenerationStream};
use crate::bindings::{
    Analysis, AnalyzeRequest, BackendInfo, Capability, EditRequest, Error, GenerateRequest, Generation,
    GenerationEvent, ModelEntry, Setting, Status,
};
use crate::client::{Client, Stream};
use crate::models;
use crate::transport::{self, WasiTransport};

struct Component;

crate::bindings::export!(Component with_types_in crate::bindings);

impl Guest for Component {
    type Client = ClientResource;
    type GenerationStream = StreamResource;

    /// Lifecycles as of today on the host's wall clock.
    fn info() -> BackendInfo {
        models::backend_info(transport::today())
    }
}

/// One configured client; calls are sequential, so a `RefCell` suffices.
pub struct ClientResource {
    client: RefCell<Client<WasiTransport>>,
}

impl GuestClient for ClientResource {
    fn open(settings: Vec<Setting>) -> Result<api::Client, Error> {
        let client = Client::open(&settings, WasiTransport)?;
        Ok(api::Client::new(ClientResource { client: RefCell::new(client) }))
    }

    fn generate(&self, request: GenerateRequest) -> Result<Generation, Error> {
        self.client.borrow_mut().generate(&request)
    }

    fn edit(&self, request: EditRequest) -> Result<Generation, Error> {
        self.client.borrow_mut().edit(&request)
    }

    fn analyze(&self, request: AnalyzeRequest) -> Result<Analysis, Error> {
        self.client.borrow_mut().analyze(&request)
    }

    fn check(&self, capability: Capability, model: Option<String>) -> Result<Status, Error> {
        self.client.borrow_mut().check(capability, model.as_deref())
    }

    fn models(&self, capability: Option<Capability>) -> Result<Vec<ModelEntry>, Error> {
        self.client.borrow_mut().models(capability)
    }

    fn start_generate(&self, request: GenerateRequest, partial_images: u32) -> Result<api::GenerationStream, Error> {
        let stream = self.client.borrow_mut().start_generate(&request, partial_images)?;
        Ok(api::GenerationStream::new(StreamResource { stream: RefCell::new(stream) }))
    }

    fn start_edit(&self, request: EditRequest, partial_images: u32) -> Result<api::GenerationStream, Error> {
        let stream = self.client.borrow_mut().start_edit(&request, partial_images)?;
        Ok(api::GenerationStream::new(StreamResource { stream: RefCell::new(stream) }))
    }
}

/// A streamed generation; dropping it drops the response body, which closes
/// the connection.
pub struct StreamResource {
    stream: RefCell<Stream>,
}

impl GuestGenerationStream for StreamResource {
    fn next(&self) -> Option<Result<GenerationEvent, Error>> {
        self.stream.borrow_mut().next()
    }
}
