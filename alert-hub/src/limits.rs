//! The process's open-file limit: raised at start to what the system allows, because every
//! device, console and HTTP connection holds a file descriptor.

use nix::sys::resource::{Resource, getrlimit, setrlimit};

/// Raises the soft limit on open files to the hard limit, where the system allows it, and
/// returns the limit now in force. A failure leaves the limit as it was.
pub fn raise_file_limit() -> Result<u64, nix::Error> {
    let (soft, hard) = getrlimit(Resource::RLIMIT_NOFILE)?;
    if soft < hard {
        setrlimit(Resource::RLIMIT_NOFILE, hard, hard)?;
    }
    file_limit()
}

/// The soft limit on open files now in force.
pub fn file_limit() -> Result<u64, nix::Error> {
    Ok(getrlimit(Resource::RLIMIT_NOFILE)?.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_soft_limit_is_raised_to_the_hard_limit() {
        let (_, hard) = getrlimit(Resource::RLIMIT_NOFILE).expect("getrlimit");
        setrlimit(Resource::RLIMIT_NOFILE, hard / 2, hard).expect("lower");
        assert_eq!(raise_file_limit().expect("raise"), hard);
        assert_eq!(
            getrlimit(Resource::RLIMIT_NOFILE).expect("getrlimit").0,
            hard
        );
    }
}
