internal import CLibXML2

/// A read (and light edit) view of one element in an `XMLDocumentHandle`.
///
/// Keeps its document alive, so a view never dangles.
struct XMLElementView {
    let owner: XMLDocumentHandle
    let node: xmlNodePtr

    /// Local name, without prefix.
    var name: String { String(cString: node.pointee.name) }

    var namespaceURI: String? {
        node.pointee.ns?.pointee.href.map { String(cString: $0) }
    }

    var line: Int { Int(xmlGetLineNo(node)) }

    var parent: XMLElementView? {
        guard let p = node.pointee.parent, p.pointee.type == XML_ELEMENT_NODE else { return nil }
        return XMLElementView(owner: owner, node: p)
    }

    /// Child elements in document order (text, comments and PIs skipped).
    var elements: [XMLElementView] {
        var result: [XMLElementView] = []
        var child = node.pointee.children
        while let c = child {
            if c.pointee.type == XML_ELEMENT_NODE { result.append(XMLElementView(owner: owner, node: c)) }
            child = c.pointee.next
        }
        return result
    }

    /// True when this element's local name (and namespace, when given) match.
    func isNamed(_ local: String, namespace: String? = nil) -> Bool {
        guard xmlStrEqual(node.pointee.name, local) != 0 else { return false }
        guard let namespace else { return true }
        return node.pointee.ns.map { xmlStrEqual($0.pointee.href, namespace) != 0 } ?? false
    }

    /// The first child element with this local name in this element's own namespace (or `namespace`).
    func child(_ local: String, namespace: String? = nil) -> XMLElementView? {
        var child = node.pointee.children
        while let c = child {
            if matches(c, local, namespace) { return XMLElementView(owner: owner, node: c) }
            child = c.pointee.next
        }
        return nil
    }

    /// The first child element with this local name, whatever its namespace (MsgHead and
    /// felleskomponent1 share element names such as `Id`).
    func child(anyNamespace local: String) -> XMLElementView? {
        var child = node.pointee.children
        while let c = child {
            if c.pointee.type == XML_ELEMENT_NODE && xmlStrEqual(c.pointee.name, local) != 0 {
                return XMLElementView(owner: owner, node: c)
            }
            child = c.pointee.next
        }
        return nil
    }

    func children(_ local: String, namespace: String? = nil) -> [XMLElementView] {
        var result: [XMLElementView] = []
        var child = node.pointee.children
        while let c = child {
            if matches(c, local, namespace) { result.append(XMLElementView(owner: owner, node: c)) }
            child = c.pointee.next
        }
        return result
    }

    /// Element `c` has this local name and lives in `namespace` (default: this element's own),
    /// compared on libxml2's strings without creating Swift ones.
    private func matches(_ c: xmlNodePtr, _ local: String, _ namespace: String?) -> Bool {
        guard c.pointee.type == XML_ELEMENT_NODE, xmlStrEqual(c.pointee.name, local) != 0 else { return false }
        let href = c.pointee.ns?.pointee.href
        if let namespace { return href.map { xmlStrEqual($0, namespace) != 0 } ?? false }
        return xmlStrEqual(href, node.pointee.ns?.pointee.href) != 0
    }

    /// Text content of the element and its descendants, whitespace-trimmed.
    var text: String {
        guard let content = xmlNodeGetContent(node) else { return "" }
        defer { pg_xml_free(content) }
        return String(cString: content).trimmingWhitespace()
    }

    /// Trimmed text of a child element, nil when the child is absent or empty.
    func childText(_ local: String, namespace: String? = nil) -> String? {
        guard let value = child(local, namespace: namespace)?.text, !value.isEmpty else { return nil }
        return value
    }

    /// An unqualified attribute (KITH code attributes V, S, DN and friends are unqualified).
    func attribute(_ name: String) -> String? {
        guard let value = xmlGetNoNsProp(node, name) else { return nil }
        defer { pg_xml_free(value) }
        return String(cString: value)
    }

    // MARK: editing (used to repair tolerated deviations and to re-address outbound messages)

    /// Replaces the element's children with one text node.
    func setText(_ text: String) {
        xmlNodeSetContent(node, nil)
        xmlNodeAddContent(node, text)
    }

    func setAttribute(_ name: String, _ value: String) {
        xmlSetProp(node, name, value)
    }

    /// Moves this element to just before `sibling` (both must share a parent).
    func move(before sibling: XMLElementView) {
        xmlUnlinkNode(node)
        xmlAddPrevSibling(sibling.node, node)
    }

    /// Moves this element to just after `sibling`.
    func move(after sibling: XMLElementView) {
        xmlUnlinkNode(node)
        xmlAddNextSibling(sibling.node, node)
    }

    func remove() {
        xmlUnlinkNode(node)
        xmlFreeNode(node)
    }

    /// Appends a new child element in this element's namespace and returns it.
    @discardableResult
    func appendChild(_ local: String, text: String? = nil) -> XMLElementView {
        let child = xmlNewChild(node, node.pointee.ns, local, nil)!
        if let text { xmlNodeAddContent(child, text) }
        return XMLElementView(owner: owner, node: child)
    }
}

extension String {
    /// Trims XML whitespace (space, tab, CR, LF) by looking at UTF-8 bytes only: far cheaper than
    /// Character iteration, and XML whitespace is ASCII by definition.
    func trimmingWhitespace() -> String {
        let utf8 = self.utf8
        let isSpace = { (b: UInt8) in b == 0x20 || b == 0x09 || b == 0x0A || b == 0x0D }
        guard let first = utf8.first, let last = utf8.last, isSpace(first) || isSpace(last) else { return self }
        guard let start = utf8.firstIndex(where: { !isSpace($0) }) else { return "" }
        let end = utf8.lastIndex(where: { !isSpace($0) })!
        return String(self[start...end])
    }
}

extension XMLElementView: Equatable {
    /// Two views are equal when they show the same node.
    static func == (lhs: XMLElementView, rhs: XMLElementView) -> Bool { lhs.node == rhs.node }
}

extension XMLElementView {
    /// This element and all its descendant elements, depth first in document order.
    var subtree: [XMLElementView] {
        var result: [XMLElementView] = []
        var stack = [self]
        while let element = stack.popLast() {
            result.append(element)
            stack.append(contentsOf: element.elements.reversed())
        }
        return result
    }
}

extension XMLElementView {
    /// Inserts a deep copy of this element right after it and returns the copy.
    @discardableResult
    func duplicate() -> XMLElementView {
        let copy = xmlDocCopyNode(node, owner.doc, 1)!
        xmlAddNextSibling(node, copy)
        return XMLElementView(owner: owner, node: copy)
    }

    /// Puts this element (not its children) into another namespace, declared on the element.
    func setNamespace(_ uri: String) {
        let ns = xmlNewNs(node, uri, nil)
        xmlSetNs(node, ns)
    }

    func removeAttribute(_ name: String) {
        if let attribute = xmlHasProp(node, name) { xmlRemoveProp(attribute) }
    }

    /// The next sibling element, if any.
    var nextSiblingElement: XMLElementView? {
        var sibling = node.pointee.next
        while let s = sibling {
            if s.pointee.type == XML_ELEMENT_NODE { return XMLElementView(owner: owner, node: s) }
            sibling = s.pointee.next
        }
        return nil
    }
}
