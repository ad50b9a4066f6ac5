module example.com/difftool

go 1.19

require (
	example.com/greet v1.0.0
	example.com/oldlib v1.0.0
)

replace example.com/greet => ../greet1

replace example.com/oldlib => ../oldlib
