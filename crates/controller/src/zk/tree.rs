//! The znode tree (ZooKeeper's `DataTree`): nodes with data, `Stat` and
//! children; the mutating operations report which watches they trigger.
//! No sessions and no watch registry here: that is the server's job.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use super::messages::{EventType, Stat, ZkErrorCode};
use super::path;

/// One znode.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ZNode {
    pub data: Vec<u8>,
    pub stat: Stat,
    /// Child names (not paths), sorted.
    pub children: BTreeSet<String>,
}

/// Which watches a change triggers (ZooKeeper's `dataWatches` /
/// `childWatches` in `DataTree`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WatchKind {
    /// Watches set by getData/exists.
    Data,
    /// Watches set by getChildren.
    Child,
    /// Both (a deleted node fires its data and its child watches).
    Both,
}

/// A change that fires the watches of `kind` on `path` with `event_type`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Trigger {
    pub path: String,
    pub event_type: EventType,
    pub kind: WatchKind,
}

/// The tree. Starts as ZooKeeper 3.5's (the version Kafka 2.4+ ships):
/// `/`, `/zookeeper`, `/zookeeper/config`, `/zookeeper/quota`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ZkTree {
    nodes: BTreeMap<String, ZNode>,
}

impl Default for ZkTree {
    fn default() -> Self {
        Self::new()
    }
}

fn empty_node(ctime: u64) -> ZNode {
    ZNode {
        data: Vec::new(),
        stat: Stat {
            ctime,
            mtime: ctime,
            ..Stat::default()
        },
        children: BTreeSet::new(),
    }
}

fn version_matches(expected: i32, actual: i32) -> bool {
    expected == -1 || expected == actual
}

impl ZkTree {
    pub fn new() -> Self {
        let mut nodes = BTreeMap::new();
        let mut root = empty_node(0);
        root.children.insert("zookeeper".to_string());
        root.stat.num_children = 1;
        let mut zookeeper = empty_node(0);
        zookeeper.children.insert("config".to_string());
        zookeeper.children.insert("quota".to_string());
        zookeeper.stat.num_children = 2;
        nodes.insert("/".to_string(), root);
        nodes.insert("/zookeeper".to_string(), zookeeper);
        nodes.insert("/zookeeper/config".to_string(), empty_node(0));
        nodes.insert("/zookeeper/quota".to_string(), empty_node(0));
        ZkTree { nodes }
    }

    pub fn get(&self, path: &str) -> Option<&ZNode> {
        self.nodes.get(path)
    }

    pub fn len(&self) -> usize {
        self.nodes.len()
    }

    pub fn is_empty(&self) -> bool {
        self.nodes.is_empty()
    }

    /// Creates `path` (for a sequential node: `path` plus the parent's
    /// cversion as 10 digits) and returns the path created.
    /// `ephemeral_owner` is the owning session id, 0 for persistent nodes.
    pub fn create(
        &mut self,
        path: &str,
        data: Vec<u8>,
        ephemeral_owner: i64,
        sequential: bool,
        zxid: i64,
        now: u64,
    ) -> Result<(String, Vec<Trigger>), ZkErrorCode> {
        path::validate(path, sequential).map_err(|_| ZkErrorCode::BadArguments)?;
        if path == "/" {
            return Err(ZkErrorCode::NodeExists);
        }
        let parent_path = path::parent(path)
            .ok_or(ZkErrorCode::BadArguments)?
            .to_string();
        let parent = self.nodes.get(&parent_path).ok_or(ZkErrorCode::NoNode)?;
        let path = if sequential {
            // ZooKeeper numbers sequential children by the parent's cversion
            // (count of child creates+deletes), not by a private counter.
            format!("{path}{:010}", parent.stat.cversion)
        } else {
            path.to_string()
        };
        if self.nodes.contains_key(&path) {
            return Err(ZkErrorCode::NodeExists);
        }
        if parent.stat.ephemeral_owner != 0 {
            return Err(ZkErrorCode::NoChildrenForEphemerals);
        }
        let parent = self.nodes.get_mut(&parent_path).expect("checked above");
        parent.children.insert(path::name(&path).to_string());
        parent.stat.cversion += 1;
        parent.stat.num_children += 1;
        parent.stat.pzxid = zxid;
        let stat = Stat {
            czxid: zxid,
            mzxid: zxid,
            pzxid: zxid,
            ctime: now,
            mtime: now,
            ephemeral_owner,
            data_length: data.len() as i32,
            ..Stat::default()
        };
        self.nodes.insert(
            path.clone(),
            ZNode {
                data,
                stat,
                children: BTreeSet::new(),
            },
        );
        let triggers = vec![
            Trigger {
                path: path.clone(),
                event_type: EventType::NodeCreated,
                kind: WatchKind::Data,
            },
            Trigger {
                path: parent_path,
                event_type: EventType::NodeChildrenChanged,
                kind: WatchKind::Child,
            },
        ];
        Ok((path, triggers))
    }

    /// Deletes a childless node whose version matches (`-1`: any).
    pub fn delete(
        &mut self,
        path: &str,
        version: i32,
        zxid: i64,
    ) -> Result<Vec<Trigger>, ZkErrorCode> {
        path::validate(path, false).map_err(|_| ZkErrorCode::BadArguments)?;
        let parent_path = path::parent(path)
            .ok_or(ZkErrorCode::BadArguments)?
            .to_string();
        if path == "/zookeeper" || path.starts_with("/zookeeper/") {
            // ZooKeeper refuses to delete its own system nodes.
            return Err(ZkErrorCode::BadArguments);
        }
        let node = self.nodes.get(path).ok_or(ZkErrorCode::NoNode)?;
        if !version_matches(version, node.stat.version) {
            return Err(ZkErrorCode::BadVersion);
        }
        if !node.children.is_empty() {
            return Err(ZkErrorCode::NotEmpty);
        }
        self.nodes.remove(path);
        let parent = self
            .nodes
            .get_mut(&parent_path)
            .expect("a node's parent exists");
        parent.children.remove(path::name(path));
        parent.stat.cversion += 1;
        parent.stat.num_children -= 1;
        parent.stat.pzxid = zxid;
        Ok(vec![
            Trigger {
                path: path.to_string(),
                event_type: EventType::NodeDeleted,
                kind: WatchKind::Both,
            },
            Trigger {
                path: parent_path,
                event_type: EventType::NodeChildrenChanged,
                kind: WatchKind::Child,
            },
        ])
    }

    /// Replaces a node's data if its version matches (`-1`: any).
    pub fn set_data(
        &mut self,
        path: &str,
        data: Vec<u8>,
        version: i32,
        zxid: i64,
        now: u64,
    ) -> Result<(Stat, Vec<Trigger>), ZkErrorCode> {
        path::validate(path, false).map_err(|_| ZkErrorCode::BadArguments)?;
        let node = self.nodes.get_mut(path).ok_or(ZkErrorCode::NoNode)?;
        if !version_matches(version, node.stat.version) {
            return Err(ZkErrorCode::BadVersion);
        }
        node.stat.data_length = data.len() as i32;
        node.data = data;
        node.stat.version += 1;
        node.stat.mzxid = zxid;
        node.stat.mtime = now;
        Ok((
            node.stat.clone(),
            vec![Trigger {
                path: path.to_string(),
                event_type: EventType::NodeDataChanged,
                kind: WatchKind::Data,
            }],
        ))
    }

    /// The `check` op of a multi.
    pub fn check(&self, path: &str, version: i32) -> Result<(), ZkErrorCode> {
        path::validate(path, false).map_err(|_| ZkErrorCode::BadArguments)?;
        let node = self.nodes.get(path).ok_or(ZkErrorCode::NoNode)?;
        if version_matches(version, node.stat.version) {
            Ok(())
        } else {
            Err(ZkErrorCode::BadVersion)
        }
    }

    /// Paths of the ephemeral nodes `owner` holds, sorted.
    pub fn ephemerals_of(&self, owner: i64) -> Vec<String> {
        self.nodes
            .iter()
            .filter(|(_, n)| owner != 0 && n.stat.ephemeral_owner == owner)
            .map(|(p, _)| p.clone())
            .collect()
    }

    /// Every node depth-first from `/`, children in name order — the order a
    /// tree view shows them.
    pub fn iter(&self) -> TreeIter<'_> {
        TreeIter {
            tree: self,
            stack: vec!["/".to_string()],
        }
    }

    /// All nodes in plain path order (for invariant checks).
    pub fn nodes(&self) -> impl Iterator<Item = (&str, &ZNode)> {
        self.nodes.iter().map(|(p, n)| (p.as_str(), n))
    }
}

/// A read-only view of one znode, for the UI.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ZnodeView<'a> {
    pub path: String,
    pub data: &'a [u8],
    pub stat: &'a Stat,
}

impl ZnodeView<'_> {
    /// The data as text (znodes Kafka writes are UTF-8 JSON or numbers);
    /// invalid bytes show as U+FFFD.
    pub fn data_utf8(&self) -> std::borrow::Cow<'_, str> {
        String::from_utf8_lossy(self.data)
    }

    /// An owned, serializable copy (to ship the tree to the page).
    pub fn to_row(&self) -> ZnodeRow {
        ZnodeRow {
            path: self.path.clone(),
            data: self.data_utf8().into_owned(),
            stat: self.stat.clone(),
        }
    }

    /// Depth below `/` (the root is 0).
    pub fn depth(&self) -> usize {
        if self.path == "/" {
            0
        } else {
            self.path.matches('/').count()
        }
    }
}

/// One row of the znode tree view: path, data as text, stat.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ZnodeRow {
    pub path: String,
    pub data: String,
    pub stat: Stat,
}

/// Depth-first iterator over the tree, see [`ZkTree::iter`].
pub struct TreeIter<'a> {
    tree: &'a ZkTree,
    stack: Vec<String>,
}

impl<'a> Iterator for TreeIter<'a> {
    type Item = ZnodeView<'a>;

    fn next(&mut self) -> Option<Self::Item> {
        let path = self.stack.pop()?;
        let node = self.tree.nodes.get(&path)?;
        for child in node.children.iter().rev() {
            self.stack.push(path::join(&path, child));
        }
        Some(ZnodeView {
            path,
            data: &node.data,
            stat: &node.stat,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn starts_like_zookeeper() {
        let mut tree = ZkTree::new();
        let paths: Vec<String> = tree.iter().map(|v| v.path).collect();
        assert_eq!(
            paths,
            vec!["/", "/zookeeper", "/zookeeper/config", "/zookeeper/quota"]
        );
        assert_eq!(
            tree.delete("/zookeeper/quota", -1, 1),
            Err(ZkErrorCode::BadArguments)
        );
    }

    #[test]
    fn create_needs_parent_and_refuses_duplicates() {
        let mut t = ZkTree::new();
        assert_eq!(
            t.create("/a/b", vec![], 0, false, 1, 0),
            Err(ZkErrorCode::NoNode)
        );
        t.create("/a", vec![], 0, false, 1, 0).unwrap();
        assert_eq!(
            t.create("/a", vec![], 0, false, 2, 0),
            Err(ZkErrorCode::NodeExists)
        );
        assert_eq!(
            t.create("/", vec![], 0, false, 2, 0),
            Err(ZkErrorCode::NodeExists)
        );
        assert_eq!(
            t.create("a", vec![], 0, false, 2, 0),
            Err(ZkErrorCode::BadArguments)
        );
    }

    #[test]
    fn ephemeral_nodes_cannot_have_children() {
        let mut t = ZkTree::new();
        t.create("/e", vec![], 42, false, 1, 0).unwrap();
        assert_eq!(
            t.create("/e/c", vec![], 0, false, 2, 0),
            Err(ZkErrorCode::NoChildrenForEphemerals)
        );
        assert_eq!(t.ephemerals_of(42), vec!["/e".to_string()]);
    }

    #[test]
    fn sequential_names_use_parent_cversion_zero_padded_to_10_digits() {
        let mut t = ZkTree::new();
        t.create("/n", vec![], 0, false, 1, 0).unwrap();
        let (p0, _) = t.create("/n/isr_change_", vec![], 0, true, 2, 0).unwrap();
        assert_eq!(p0, "/n/isr_change_0000000000");
        let (p1, _) = t.create("/n/isr_change_", vec![], 0, true, 3, 0).unwrap();
        assert_eq!(p1, "/n/isr_change_0000000001");
        // A delete bumps cversion too, so the next number skips one.
        t.delete(&p0, -1, 4).unwrap();
        let (p3, _) = t.create("/n/isr_change_", vec![], 0, true, 5, 0).unwrap();
        assert_eq!(p3, "/n/isr_change_0000000003");
        // A trailing '/' makes the number the whole name.
        let (p4, _) = t.create("/n/", vec![], 0, true, 6, 0).unwrap();
        assert_eq!(p4, "/n/0000000004");
    }

    #[test]
    fn delete_checks_version_and_children() {
        let mut t = ZkTree::new();
        t.create("/a", vec![], 0, false, 1, 0).unwrap();
        t.create("/a/b", vec![], 0, false, 2, 0).unwrap();
        assert_eq!(t.delete("/a", -1, 3), Err(ZkErrorCode::NotEmpty));
        assert_eq!(t.delete("/a/b", 1, 3), Err(ZkErrorCode::BadVersion));
        assert_eq!(t.delete("/a/x", -1, 3), Err(ZkErrorCode::NoNode));
        t.delete("/a/b", 0, 3).unwrap();
        t.delete("/a", -1, 4).unwrap();
        assert!(t.get("/a").is_none());
        assert_eq!(t.get("/").unwrap().stat.num_children, 1);
    }

    #[test]
    fn set_data_bumps_version_and_checks_it() {
        let mut t = ZkTree::new();
        t.create("/a", b"x".to_vec(), 0, false, 1, 10).unwrap();
        let (stat, trig) = t.set_data("/a", b"yy".to_vec(), 0, 2, 20).unwrap();
        assert_eq!(stat.version, 1);
        assert_eq!(stat.data_length, 2);
        assert_eq!((stat.ctime, stat.mtime), (10, 20));
        assert_eq!((stat.czxid, stat.mzxid), (1, 2));
        assert_eq!(trig[0].event_type, EventType::NodeDataChanged);
        assert_eq!(
            t.set_data("/a", vec![], 0, 3, 30),
            Err(ZkErrorCode::BadVersion)
        );
        assert!(t.set_data("/a", vec![], -1, 3, 30).is_ok());
        assert_eq!(t.check("/a", 2), Ok(()));
        assert_eq!(t.check("/a", 1), Err(ZkErrorCode::BadVersion));
    }

    #[test]
    fn iter_is_depth_first_in_name_order() {
        let mut t = ZkTree::new();
        for p in ["/b", "/a", "/a-b", "/a/y", "/a/x"] {
            t.create(p, p.as_bytes().to_vec(), 0, false, 1, 0).unwrap();
        }
        let paths: Vec<String> = t.iter().map(|v| v.path).collect();
        assert_eq!(
            paths,
            vec![
                "/",
                "/a",
                "/a/x",
                "/a/y",
                "/a-b",
                "/b",
                "/zookeeper",
                "/zookeeper/config",
                "/zookeeper/quota"
            ]
        );
        let v = t.iter().find(|v| v.path == "/a/x").unwrap();
        assert_eq!(v.data_utf8(), "/a/x");
        assert_eq!(v.depth(), 2);
        assert_eq!(v.to_row().data, "/a/x");
        // Not UTF-8: shown with replacement characters, never a panic.
        t.set_data("/b", vec![0xff, b'k'], -1, 2, 0).unwrap();
        assert_eq!(
            t.iter().find(|v| v.path == "/b").unwrap().data_utf8(),
            "\u{fffd}k"
        );
    }
}
