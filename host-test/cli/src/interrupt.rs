//! Ctrl-C, listened for from a chosen moment on.

/// A future that ends at the first Ctrl-C from the moment this is called (a
/// signal that arrives before the future is first polled is kept), unlike
/// `tokio::signal::ctrl_c`, which starts listening only when polled.
pub fn ctrl_c_from_now() -> std::io::Result<impl std::future::Future<Output = ()>> {
    #[cfg(unix)]
    {
        let mut interrupt = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::interrupt())?;
        Ok(async move {
            interrupt.recv().await;
        })
    }
    #[cfg(not(unix))]
    {
        let mut interrupt = tokio::signal::windows::ctrl_c()?;
        Ok(async move {
            interrupt.recv().await;
        })
    }
}
