//! The key a keep-alive connection last authenticated with, and its instance. A client sends the
//! same `Authorization` header on every request of a connection; finding the instance again costs
//! a comparison with what the connection sent before, where a lookup costs a keyed hash and a
//! lock. What is kept is the connection's own header, for as long as the connection is open; a
//! deleted instance is never found again through it.

use std::cell::RefCell;
use std::sync::Arc;

use actix_web::dev::Extensions;

use crate::instance::Instance;

/// What a connection last authenticated with (one per connection, in its data).
#[derive(Debug, Default)]
pub struct ConnectionKey(RefCell<Option<Remembered>>);

#[derive(Debug)]
struct Remembered {
    /// The `Authorization` header as sent.
    header: Box<[u8]>,
    /// The registry's count of deletions when the instance was found.
    deletions: u64,
    instance: Arc<Instance>,
}

impl ConnectionKey {
    /// Gives each new connection its own (`HttpServer::on_connect`).
    pub fn give_to(data: &mut Extensions) {
        data.insert(Self::default());
    }

    /// The instance found for `header` before, unless an instance was deleted since.
    pub fn instance(&self, header: &[u8], deletions: u64) -> Option<Arc<Instance>> {
        let remembered = self.0.try_borrow().ok()?;
        let remembered = remembered.as_ref()?;
        (remembered.deletions == deletions && *remembered.header == *header)
            .then(|| Arc::clone(&remembered.instance))
    }

    /// Remembers that `header` found `instance` when the registry had seen `deletions`.
    pub fn remember(&self, header: &[u8], deletions: u64, instance: &Arc<Instance>) {
        if let Ok(mut remembered) = self.0.try_borrow_mut() {
            *remembered = Some(Remembered {
                header: header.into(),
                deletions,
                instance: Arc::clone(instance),
            });
        }
    }
}
