//! The znode list (flat, in path order, with depths) as a tree, so the page
//! can nest expandable nodes.

/// A node: its index in the flat list and its children.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Node {
    pub index: usize,
    pub children: Vec<Node>,
}

/// Nests `depths` (of a pre-order listing) into trees. A depth that jumps
/// by more than one is attached to the nearest shallower node.
pub fn nest(depths: &[usize]) -> Vec<Node> {
    fn take(depths: &[usize], i: &mut usize, depth: usize) -> Vec<Node> {
        let mut out = Vec::new();
        while *i < depths.len() && depths[*i] >= depth {
            let index = *i;
            *i += 1;
            let children = take(depths, i, depths[index] + 1);
            out.push(Node { index, children });
        }
        out
    }
    let mut i = 0;
    let mut roots = Vec::new();
    while i < depths.len() {
        let d = depths[i];
        roots.extend(take(depths, &mut i, d));
    }
    roots
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shape(nodes: &[Node]) -> String {
        nodes
            .iter()
            .map(|n| {
                if n.children.is_empty() {
                    n.index.to_string()
                } else {
                    format!("{}({})", n.index, shape(&n.children))
                }
            })
            .collect::<Vec<_>>()
            .join(" ")
    }

    #[test]
    fn preorder_depths_nest() {
        // /, /brokers, /brokers/ids, /brokers/ids/0, /brokers/topics, /controller
        assert_eq!(shape(&nest(&[0, 1, 2, 3, 2, 1])), "0(1(2(3) 4) 5)");
        // Without a root: siblings at depth 1.
        assert_eq!(shape(&nest(&[1, 2, 1])), "0(1) 2");
        assert_eq!(shape(&nest(&[1, 3, 2])), "0(1 2)");
        assert!(nest(&[]).is_empty());
    }
}
