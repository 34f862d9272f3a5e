//! Loading FHIR packages (NPM-style .tgz, or an unpacked folder) for validation.
//!
//! A package is read whole at start: the resources at the top level of its `package/` folder (and of
//! `package/example/` and `package/examples/`), sorted by file name. JSON files without a
//! `resourceType` (`.index.json`, `package.json`, tool output) are skipped. Sizes are capped by
//! [`PackageLimits`] before anything is read, so a tar bomb or a huge file is an error naming the file.

use std::fs::File;
use std::io::{self, Read};
use std::path::{Path, PathBuf};

use serde_json::Value;

/// A FHIR package read into memory.
#[derive(Debug, Clone)]
pub struct LoadedPackage {
    /// `name` from `package.json`, e.g. `jp-core.r4`.
    pub name: String,
    /// `version` from `package.json`, e.g. `1.1.1-snap`.
    pub version: String,
    /// The .tgz file or folder the package was read from.
    pub source: PathBuf,
    /// The resources, sorted by [`PackageFile::file`].
    pub resources: Vec<PackageFile>,
}

/// One resource of a package.
#[derive(Debug, Clone)]
pub struct PackageFile {
    /// The path inside the package, e.g. `package/Patient-x.json` (relative to the folder given when a
    /// folder without a `package/` subfolder is loaded, e.g. `Patient-x.json`).
    pub file: String,
    /// The parsed resource; it always has a string `resourceType`.
    pub resource: Value,
}

/// Caps on what loading a package may read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PackageLimits {
    /// The largest single file, in bytes.
    pub max_file_bytes: u64,
    /// The most bytes read (for a .tgz: the unpacked size of every entry, read or skipped).
    pub max_total_bytes: u64,
    /// The most files (for a .tgz: every entry, read or skipped).
    pub max_files: usize,
}

impl Default for PackageLimits {
    fn default() -> Self {
        Self {
            max_file_bytes: 64 << 20,
            max_total_bytes: 512 << 20,
            max_files: 20_000,
        }
    }
}

/// Why a package could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum PackageError {
    #[error("cannot read FHIR package {path}: {source}")]
    Io { path: PathBuf, source: io::Error },
    #[error("{path} is not a FHIR package: {why}")]
    NotAPackage { path: PathBuf, why: String },
    #[error("{file}:{line}:{column}: invalid JSON: {message}")]
    Json {
        file: String,
        line: usize,
        column: usize,
        message: String,
    },
    #[error("{file}: over the FHIR package limit of {limit} {what}")]
    TooLarge {
        file: String,
        limit: u64,
        /// What the limit counts: "bytes per file", "bytes in total" or "files".
        what: &'static str,
    },
}

/// Loads the package at `path`: a `.tgz`/`.tar.gz` file, or a folder (holding `package/`, or being
/// the `package` folder itself).
pub fn load(path: &Path, limits: &PackageLimits) -> Result<LoadedPackage, PackageError> {
    let io_err = |source| PackageError::Io {
        path: path.to_path_buf(),
        source,
    };
    let metadata = std::fs::metadata(path).map_err(io_err)?;
    let (manifest, mut resources) = if metadata.is_dir() {
        read_folder(path, limits)?
    } else if is_tgz(path) {
        read_tgz(path, limits)?
    } else {
        return Err(not_a_package(
            path,
            "expected a .tgz/.tar.gz file or a folder",
        ));
    };
    let Some(manifest) = manifest else {
        return Err(not_a_package(path, "no package.json"));
    };
    let (name, version) = name_and_version(path, &manifest)?;
    if resources.is_empty() {
        return Err(not_a_package(
            path,
            "no FHIR resources (JSON with a resourceType)",
        ));
    }
    resources.sort_by(|a, b| a.file.cmp(&b.file));
    Ok(LoadedPackage {
        name,
        version,
        source: path.to_path_buf(),
        resources,
    })
}

/// What the readers return: the `package.json` text, when found, and the resources.
type Contents = (Option<Vec<u8>>, Vec<PackageFile>);

fn not_a_package(path: &Path, why: &str) -> PackageError {
    PackageError::NotAPackage {
        path: path.to_path_buf(),
        why: why.to_string(),
    }
}

fn is_tgz(path: &Path) -> bool {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().to_ascii_lowercase());
    name.is_some_and(|n| n.ends_with(".tgz") || n.ends_with(".tar.gz"))
}

/// `name` and `version` from the text of `package.json`.
fn name_and_version(path: &Path, manifest: &[u8]) -> Result<(String, String), PackageError> {
    let json = parse_json("package/package.json", manifest)?;
    let field = |key: &str| json.get(key).and_then(Value::as_str).map(str::to_string);
    match (field("name"), field("version")) {
        (Some(name), Some(version)) => Ok((name, version)),
        _ => Err(not_a_package(
            path,
            "package.json lacks a name or a version",
        )),
    }
}

/// Parses one file, naming it and the line:column on failure.
fn parse_json(file: &str, bytes: &[u8]) -> Result<Value, PackageError> {
    serde_json::from_slice(bytes).map_err(|e| {
        let (line, column) = (e.line(), e.column());
        let text = e.to_string();
        let suffix = format!(" at line {line} column {column}");
        PackageError::Json {
            file: file.to_string(),
            line,
            column,
            message: text.strip_suffix(&suffix).unwrap_or(&text).to_string(),
        }
    })
}

/// Whether a path inside a package holds a resource: `package/X.json`, `package/example/X.json` or
/// `package/examples/X.json`, but not `.index.json` or `package.json`.
fn is_resource_path(relative: &str) -> bool {
    let Some(rest) = relative.strip_prefix("package/") else {
        return false;
    };
    let name = match rest.split_once('/') {
        None => rest,
        Some(("example" | "examples", name)) if !name.contains('/') => name,
        Some(_) => return false,
    };
    name.ends_with(".json") && name != ".index.json" && name != "package.json"
}

/// Keeps a parsed file when it is a resource.
fn push_resource(
    resources: &mut Vec<PackageFile>,
    file: String,
    bytes: &[u8],
) -> Result<(), PackageError> {
    let resource = parse_json(&file, bytes)?;
    if resource
        .get("resourceType")
        .and_then(Value::as_str)
        .is_some()
    {
        resources.push(PackageFile { file, resource });
    }
    Ok(())
}

/// Counts bytes and files against the limits.
struct Budget<'a> {
    limits: &'a PackageLimits,
    files: usize,
    bytes: u64,
}

impl<'a> Budget<'a> {
    fn new(limits: &'a PackageLimits) -> Self {
        Self {
            limits,
            files: 0,
            bytes: 0,
        }
    }

    /// Accounts for one more file of `size` bytes (as announced by its header or metadata).
    fn admit(&mut self, file: &str, size: u64) -> Result<(), PackageError> {
        let too_large = |limit, what| PackageError::TooLarge {
            file: file.to_string(),
            limit,
            what,
        };
        self.files += 1;
        if self.files > self.limits.max_files {
            return Err(too_large(self.limits.max_files as u64, "files"));
        }
        if size > self.limits.max_file_bytes {
            return Err(too_large(self.limits.max_file_bytes, "bytes per file"));
        }
        self.bytes = self.bytes.saturating_add(size);
        if self.bytes > self.limits.max_total_bytes {
            return Err(too_large(self.limits.max_total_bytes, "bytes in total"));
        }
        Ok(())
    }

    /// Reads a file admitted with [`Budget::admit`], never more than the per-file limit.
    fn read(&self, file: &str, reader: impl Read) -> io::Result<Result<Vec<u8>, PackageError>> {
        let cap = self.limits.max_file_bytes;
        let mut bytes = Vec::new();
        reader.take(cap.saturating_add(1)).read_to_end(&mut bytes)?;
        if bytes.len() as u64 > cap {
            return Ok(Err(PackageError::TooLarge {
                file: file.to_string(),
                limit: cap,
                what: "bytes per file",
            }));
        }
        Ok(Ok(bytes))
    }
}

/// Streams a gzipped tar, reading `package/package.json` and the resource entries.
fn read_tgz(path: &Path, limits: &PackageLimits) -> Result<Contents, PackageError> {
    let io_err = |source| PackageError::Io {
        path: path.to_path_buf(),
        source,
    };
    let file = File::open(path).map_err(io_err)?;
    let mut archive = tar::Archive::new(flate2::read::GzDecoder::new(io::BufReader::new(file)));
    let mut budget = Budget::new(limits);
    let mut manifest = None;
    let mut resources = Vec::new();
    for entry in archive.entries().map_err(io_err)? {
        let entry = entry.map_err(io_err)?;
        let name = entry.path().map_err(io_err)?.to_string_lossy().into_owned();
        let relative = name.strip_prefix("./").unwrap_or(&name).to_string();
        budget.admit(&relative, entry.size())?;
        if !entry.header().entry_type().is_file() {
            continue;
        }
        let wanted = relative == "package/package.json" || is_resource_path(&relative);
        if !wanted {
            continue;
        }
        let bytes = budget.read(&relative, entry).map_err(io_err)??;
        if relative == "package/package.json" {
            manifest = Some(bytes);
        } else {
            push_resource(&mut resources, relative, &bytes)?;
        }
    }
    Ok((manifest, resources))
}

/// Reads a folder: `DIR/package/…` when there is a `package` subfolder, else `DIR/…` itself.
fn read_folder(path: &Path, limits: &PackageLimits) -> Result<Contents, PackageError> {
    let (root, prefix) = if path.join("package").is_dir() {
        (path.join("package"), "package/")
    } else {
        (path.to_path_buf(), "")
    };
    let mut budget = Budget::new(limits);
    let mut files = json_files(&root, "")?;
    for sub in ["example", "examples"] {
        if root.join(sub).is_dir() {
            files.extend(json_files(&root.join(sub), &format!("{sub}/"))?);
        }
    }
    files.sort();
    let mut manifest = None;
    let mut resources = Vec::new();
    for inner in files {
        let file_path = root.join(&inner);
        let relative = format!("{prefix}{inner}");
        let io_err = |source| PackageError::Io {
            path: file_path.clone(),
            source,
        };
        let size = std::fs::metadata(&file_path).map_err(io_err)?.len();
        budget.admit(&relative, size)?;
        let bytes = budget
            .read(&relative, File::open(&file_path).map_err(io_err)?)
            .map_err(io_err)??;
        if inner == "package.json" {
            manifest = Some(bytes);
        } else {
            push_resource(&mut resources, relative, &bytes)?;
        }
    }
    Ok((manifest, resources))
}

/// The `*.json` regular files directly in `dir` (without `.index.json`), as `prefix` + file name.
fn json_files(dir: &Path, prefix: &str) -> Result<Vec<String>, PackageError> {
    let io_err = |source| PackageError::Io {
        path: dir.to_path_buf(),
        source,
    };
    let mut names = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(io_err)? {
        let entry = entry.map_err(io_err)?;
        let name = entry.file_name().to_string_lossy().into_owned();
        let is_file = entry.path().is_file();
        if is_file && name.ends_with(".json") && name != ".index.json" {
            names.push(format!("{prefix}{name}"));
        }
    }
    Ok(names)
}
