module example.com/difftool

go 1.19

require (
	example.com/extra v1.0.0
	example.com/greet v1.1.0
)

replace example.com/greet => ../greet2

replace example.com/extra => ../extra
