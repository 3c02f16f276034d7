"""Rule conditions: the tree, operators, compiling, evaluating, explaining, margins and text."""
