//! The walk of an SS-MIX2 storage tree: every file with its path relative to the root, parsed by the
//! path grammar, in import order (per patient, data type and order number by occurrence time, so that
//! a newer file is ingested after an older one and wins; SS-MIX2 構築ガイドライン 1.2 §2.3 ④).

use std::path::{Path, PathBuf};

use kakehashi_mappings::ssmix2::{ConditionFlag, PathError, StoragePath};

/// One file found under the root.
#[derive(Debug)]
pub struct Found {
    /// Relative to the root, `/` separated.
    pub relative: String,
    pub full: PathBuf,
    pub path: Result<StoragePath, PathError>,
}

/// What the walk leaves out: hidden files (`.DS_Store`, editor files) and the files beside
/// `main_document.*` in an extended storage content folder (images, style sheets of a CDA document),
/// which are not messages.
fn left_out(relative: &str, path: &Result<StoragePath, PathError>) -> bool {
    let hidden = relative
        .rsplit('/')
        .next()
        .is_some_and(|name| name.starts_with('.'));
    hidden || matches!(path, Err(PathError::NotMainDocument { .. }))
}

/// Every file under `root`, sorted for import: files whose path is wrong first (by path), then the
/// good ones by patient, data type, order number, occurrence time (right-padded to 17 digits), and an
/// older flag before a newer one at the same time (2 before 1 before 0).
pub fn walk(root: &Path) -> Result<Vec<Found>, String> {
    let mut found = Vec::new();
    for entry in walkdir::WalkDir::new(root)
        .follow_links(false)
        .sort_by_file_name()
    {
        let entry = entry.map_err(|e| format!("cannot read the tree {}: {e}", root.display()))?;
        if !entry.file_type().is_file() {
            continue;
        }
        let Ok(relative) = entry.path().strip_prefix(root) else {
            continue;
        };
        let relative: Vec<String> = relative
            .components()
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .collect();
        let relative = relative.join("/");
        let path = StoragePath::parse(&relative);
        if left_out(&relative, &path) {
            continue;
        }
        found.push(Found {
            relative,
            full: entry.path().to_path_buf(),
            path,
        });
    }
    found.sort_by_cached_key(|f| match &f.path {
        Err(_) => (0, Vec::new(), f.relative.clone()),
        Ok(p) => {
            let flag = match p.flag {
                ConditionFlag::Superseded => 0,
                ConditionFlag::Current => 1,
                ConditionFlag::Deleted => 2,
            };
            let key = vec![
                p.patient_id.clone(),
                p.data_type.clone(),
                p.order_number.clone(),
                format!("{:0<17}", p.timestamp),
                flag.to_string(),
            ];
            (1, key, f.relative.clone())
        }
    });
    Ok(found)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_come_in_import_order_and_clutter_is_left_out() {
        let dir = tempfile::tempdir().unwrap();
        let folder = dir.path().join("999/901/9999013/20110701/OMP-01");
        std::fs::create_dir_all(&folder).unwrap();
        for name in [
            "9999013_20110701_OMP-01_000000011000185_20110702000000000_01_1",
            "9999013_20110701_OMP-01_000000011000185_20110701224603984_01_2",
            "9999013_20110701_OMP-01_000000011000184_20110703000000000_01_1",
            "broken",
            ".DS_Store",
        ] {
            std::fs::write(folder.join(name), b"x").unwrap();
        }
        let names: Vec<String> = walk(dir.path())
            .unwrap()
            .into_iter()
            .map(|f| f.relative.rsplit('/').next().unwrap().to_string())
            .collect();
        assert_eq!(
            names,
            [
                "broken",
                "9999013_20110701_OMP-01_000000011000184_20110703000000000_01_1",
                "9999013_20110701_OMP-01_000000011000185_20110701224603984_01_2",
                "9999013_20110701_OMP-01_000000011000185_20110702000000000_01_1",
            ]
        );
    }
}
